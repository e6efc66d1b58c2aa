import type { Database } from '@jobkit/db';
import { isTerminalStatus, type JobSnapshot } from '@jobkit/jobs';
import { tracked, TRPCError, type TrackedEnvelope } from '@trpc/server';
import type { Actor, ApiSettings } from '../context.ts';
import { jobNotFound } from '../job-scope.ts';
import { findJobSnapshotRow, toJobSnapshot } from '../job-snapshot.ts';
import { createJobStreamHub, type JobStreamHub } from './hub.ts';
import { openStream } from './stream-quota.ts';

/**
 * One hub per Database, made on the first subscription: a Database is what a server process (or a
 * test) holds for its lifetime, so every context built on it, over HTTP or through createCaller,
 * shares the one LISTEN without the contexts carrying anything. Processes that never stream open no
 * LISTEN connection at all.
 */
const hubs = new WeakMap<Database, JobStreamHub>();

// Every subscriber was authorized by its own first read (findJobSnapshotRow with its actor); the
// hub's later reads of that job are on their behalf, so they look the job up by id alone.
const anyOwner: Actor = { userId: '00000000-0000-0000-0000-000000000000', role: 'admin' };

export function jobStreamFor(db: Database): JobStreamHub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = createJobStreamHub({
      listenUrl: db.listenUrl,
      pool: db.pool,
      read: async (jobId) => {
        const row = await findJobSnapshotRow(db, anyOwner, jobId);
        return row && toJobSnapshot(row);
      },
    });
    hubs.set(db, hub);
  }
  return hub;
}

/** Ends every stream of this Database and its LISTEN; the server calls it as it shuts down. */
export async function closeJobStream(db: Database): Promise<void> {
  const hub = hubs.get(db);
  hubs.delete(db);
  await hub?.close();
}

/** Behind a pooler in transaction mode no change would ever arrive: say so, so the client polls. */
export function refuseIfDeaf(hub: JobStreamHub, pollInstead: string): void {
  if (!hub.deaf) return;
  throw new TRPCError({
    code: 'SERVICE_UNAVAILABLE',
    message: `Live job updates are not available on this server (its database connection cannot LISTEN); poll ${pollInstead} instead.`,
  });
}

export interface WatchJobInput {
  jobId: string;
  /** The version the client last received (tRPC sets it on reconnect from the tracked event id). */
  lastEventId?: string | undefined;
}

/**
 * `jobs.watchJob`: the job at once, then each new version, ending after a finished one. The
 * subscription is taken before the first read, so a change between the two is never lost (at worst
 * it arrives again, and versions already sent are skipped).
 */
export async function* watchJob(
  ctx: { db: Database; actor: Actor; settings: Pick<ApiSettings, 'maxStreamsPerUser'> },
  input: WatchJobInput,
  signal: AbortSignal | undefined,
): AsyncGenerator<TrackedEnvelope<JobSnapshot>, void> {
  const release = openStream(ctx.db, ctx.actor.userId, ctx.settings.maxStreamsPerUser);
  const hub = jobStreamFor(ctx.db);
  const subscription = hub.subscribe(input.jobId);
  try {
    await hub.ready;
    const row = await findJobSnapshotRow(ctx.db, ctx.actor, input.jobId);
    if (!row) throw await jobNotFound(ctx.db, ctx.actor, input.jobId);
    const first = toJobSnapshot(row);
    refuseIfDeaf(hub, 'jobs.getJob');
    // A reconnect that already has this version waits for the next one instead of receiving it again.
    if (input.lastEventId !== String(first.version)) yield tracked(String(first.version), first);
    if (isTerminalStatus(first.status)) return;
    let sent = first.version;
    for (;;) {
      const delivery = await subscription.next(signal);
      if (!delivery) return;
      if (delivery.type === 'error') throw delivery.error;
      if (delivery.type === 'gone') throw await jobNotFound(ctx.db, ctx.actor, input.jobId);
      const { snapshot } = delivery;
      if (snapshot.version <= sent) continue;
      sent = snapshot.version;
      yield tracked(String(snapshot.version), snapshot);
      if (isTerminalStatus(snapshot.status)) return;
    }
  } finally {
    subscription.close();
    release();
  }
}
