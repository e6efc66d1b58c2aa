import type { Database, Prisma } from '@jobkit/db';
import { contractFor, startableKinds } from '@jobkit/jobs';
import type { Actor } from '../context.ts';
import { jobStreamFor } from '../job-stream/watch-job.ts';
import { openStream } from '../job-stream/stream-quota.ts';
import { watchList } from '../job-stream/watch-list.ts';
import { actorProcedure } from '../trpc.ts';

/** How many active jobs the header lists; `total` says how many there are in all. */
const listedActiveJobs = 20;
/** A running job reports progress often; its owner's header needs it at most this often. */
const activeJobsThrottleMs = 1_000;

/**
 * The caller's own queued and running analyses, newest first: what the header shows on every page.
 * From the server, so it follows the user to any device or browser, not only the one that
 * started them. Jobs the system starts (webhook deliveries) and tracked jobs are not listed.
 */
async function activeJobsOf(ctx: { db: Database; actor: Actor }) {
  const where: Prisma.JobWhereInput = { ownerId: ctx.actor.userId, status: { in: ['queued', 'running'] }, kind: { in: startableKinds } };
  const [rows, total] = await Promise.all([
    ctx.db.prisma.job.findMany({
      where,
      orderBy: { id: 'desc' },
      take: listedActiveJobs,
      select: { id: true, kind: true, status: true, progress: true, progressMessage: true, version: true },
    }),
    ctx.db.prisma.job.count({ where }),
  ]);
  return { total, jobs: rows.map((row) => ({ ...row, title: contractFor(row.kind)?.title ?? row.kind })) };
}

export const activeJobsProcedures = {
  activeJobs: actorProcedure.query(({ ctx }) => activeJobsOf(ctx)),
  /**
   * `activeJobs` pushed over SSE: the list at once, then again whenever one of the caller's jobs
   * is added, changes or ends (at most once a second). SERVICE_UNAVAILABLE where the server
   * cannot LISTEN: poll `activeJobs` then.
   */
  watchActiveJobs: actorProcedure.subscription(({ ctx, signal }) => {
    const hub = jobStreamFor(ctx.db);
    return watchList({
      hub,
      ticks: hub.subscribeOwner(ctx.actor.userId),
      read: () => activeJobsOf(ctx),
      throttleMs: activeJobsThrottleMs,
      pollInstead: 'jobs.activeJobs',
      signal,
      countStream: () => openStream(ctx.db, ctx.actor.userId, ctx.settings.maxStreamsPerUser),
    });
  }),
};
