/**
 * A worker process of one system, started by the benchmark (one per simulated worker machine).
 * It starts the system's worker, says `ready` once idle and listening, forwards each probe job's
 * handler start time, and on `stop` shuts the worker down cleanly and exits.
 */
import { z } from 'zod';
import { systemsById } from './systems/index.ts';
import { systemIds, type WorkerSpec } from './systems/types.ts';
import type { ChildMessage } from './protocol.ts';

const spec: WorkerSpec = z
  .object({
    system: z.enum(systemIds),
    url: z.string(),
    concurrency: z.int(),
    poolSize: z.int(),
    pgBossBatchSize: z.int(),
    graphileLocalQueue: z.int(),
    jobkitPrefetch: z.int(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

function send(message: ChildMessage): void {
  process.send?.(message);
}

try {
  const worker = await systemsById[spec.system].startWorker(spec, (key, startedAt) => {
    send({ type: 'probe', key, startedAt });
  });
  process.on('message', (message) => {
    if (message !== 'stop') return;
    worker.stop().then(
      () => {
        send({ type: 'stopped' });
        process.disconnect();
      },
      (error: unknown) => {
        send({ type: 'failed', message: String(error) });
        process.exit(1);
      },
    );
  });
  // The benchmark died (or was stopped): a worker must not outlive it.
  process.on('disconnect', () => {
    void worker.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(1), 5_000).unref();
  });
  send({ type: 'ready', node: process.version });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
}
