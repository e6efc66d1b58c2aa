import { extendLeases, type Database } from '@jobkit/db';
import type { WorkerSettings } from './settings.ts';

/**
 * Extends the leases of the jobs this process holds (running, or claimed ahead and waiting), and
 * learns which of them it lost or must cancel. A missed cancellation notification is caught here.
 */
export async function heartbeat(
  pool: Database['pool'],
  workerId: string,
  held: readonly string[],
  config: Pick<WorkerSettings, 'leaseMs' | 'log'>,
  abort: (jobId: string, reason: 'cancelled' | 'lease-lost') => void,
): Promise<void> {
  try {
    const leases = new Map((await extendLeases(pool, workerId, held, config.leaseMs)).map((lease) => [lease.id, lease]));
    // Only the jobs this heartbeat asked about: one claimed or finished meanwhile proves nothing.
    for (const jobId of held) {
      const lease = leases.get(jobId);
      if (!lease) abort(jobId, 'lease-lost');
      else if (lease.cancelRequested) abort(jobId, 'cancelled');
    }
  } catch (error) {
    config.log(`[worker ${workerId}] heartbeat failed: ${String(error)}`);
  }
}
