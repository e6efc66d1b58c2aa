import { cancelJob } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import { contractFor, defaultRetentionMs, isJobKind, jobStatusSchema } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { adminStats } from '../admin-stats.ts';
import { jobStreamFor } from '../job-stream/watch-job.ts';
import { openStream } from '../job-stream/stream-quota.ts';
import { watchList } from '../job-stream/watch-list.ts';
import type { Actor, InnerContext } from '../context.ts';
import { keysetPage } from '../paging.ts';
import { requeueJob } from '../requeue.ts';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';
import { firstUuidAt, lastUuidAt } from '../uuid-time.ts';

const jobId = z.uuid({ message: 'A job id is a UUID' });
const selection = z.object({ jobIds: z.array(jobId).min(1, 'Select at least one job').max(100, 'Select at most 100 jobs') });
const timestamp = z.iso.datetime({ offset: true });
/** The viewer refetches its counts and list on each tick: at most this often, for each open viewer. */
const adminChangesThrottleMs = 2_000;


async function kindsOf(ctx: { db: Database }, jobIds: string[]): Promise<Map<string, string>> {
  const jobs = await ctx.db.prisma.job.findMany({ where: { id: { in: jobIds } }, select: { id: true, kind: true } });
  return new Map(jobs.map((job) => [job.id, job.kind]));
}

/**
 * Stored JSON, handed on as-is. Typed `unknown` for clients: Prisma's recursive JSON type would
 * make every client-side inference of this procedure needlessly deep.
 */
function storedJson(value: unknown): unknown {
  return value;
}

/** The outcome of a bulk action, job by job, in words. */
interface ActionResult {
  jobId: string;
  ok: boolean;
  message: string;
}

async function retryOne(ctx: InnerContext & { actor: Actor }, job: { id: string; kind: string }): Promise<ActionResult> {
  try {
    const status = await requeueJob(ctx, job, ctx.actor);
    return { jobId: job.id, ok: status !== null, message: status ? 'Queued again.' : 'No such job.' };
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { jobId: job.id, ok: false, message: error.code === 'CONFLICT' ? 'Only failed or cancelled jobs can be retried.' : error.message };
  }
}

export const adminRouter = createTRPCRouter({
  /** Every user's jobs, newest first; each filter is served by an index (see schema.prisma). */
  listJobs: adminProcedure
    .input(
      z.object({
        status: jobStatusSchema.optional(),
        kind: z.string().refine(isJobKind, 'Unknown job kind').optional(),
        ownerEmail: z.string().trim().toLowerCase().max(254).optional(),
        createdFrom: timestamp.optional(),
        createdTo: timestamp.optional(),
        limit: z.int().min(1).max(100).default(50),
        cursor: jobId.optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.prisma.job.findMany({
        where: {
          status: input.status,
          kind: input.kind,
          owner: input.ownerEmail ? { email: input.ownerEmail } : undefined,
          // Created between the dates = an id range (UUIDv7), then the keyset cursor.
          id: {
            gte: input.createdFrom ? firstUuidAt(Date.parse(input.createdFrom)) : undefined,
            lte: input.createdTo ? lastUuidAt(Date.parse(input.createdTo)) : undefined,
            lt: input.cursor,
          },
        },
        orderBy: { id: 'desc' },
        take: input.limit + 1,
        select: {
          id: true,
          kind: true,
          status: true,
          progress: true,
          attempt: true,
          maxAttempts: true,
          createdAt: true,
          finishedAt: true,
          owner: { select: { email: true } },
        },
      });
      const { page, nextCursor } = keysetPage(rows, input.limit);
      return {
        items: page.map((row) => ({
          id: row.id,
          kind: row.kind,
          title: contractFor(row.kind)?.title ?? row.kind,
          status: row.status,
          progress: row.progress,
          attempt: row.attempt,
          maxAttempts: row.maxAttempts,
          ownerEmail: row.owner.email,
          createdAt: row.createdAt.toISOString(),
          finishedAt: row.finishedAt?.toISOString() ?? null,
        })),
        nextCursor,
      };
    }),

  /**
   * A tick at once and then whenever any job is added, changes or is deleted, at most every 2 s
   * however busy the queue: the viewer refetches what it shows on each. It carries no job data.
   * SERVICE_UNAVAILABLE where the server cannot LISTEN: the viewer polls then.
   */
  watchChanges: adminProcedure.subscription(({ ctx, signal }) => {
    const hub = jobStreamFor(ctx.db);
    return watchList({
      hub,
      ticks: hub.subscribeEverything(),
      read: () => Promise.resolve({ changedAt: new Date().toISOString() }),
      throttleMs: adminChangesThrottleMs,
      pollInstead: 'admin.stats and admin.listJobs',
      signal,
      countStream: () => openStream(ctx.db, ctx.actor.userId, ctx.settings.maxStreamsPerUser),
    });
  }),

  /** Counts by status and jobs started per minute over the last hour; cached a few seconds. */
  stats: adminProcedure.query(({ ctx }) => adminStats(ctx.db)),

  /** Everything about one job: input, result, error, each attempt and the progress history. */
  getJob: adminProcedure.input(z.object({ jobId })).query(async ({ ctx, input }) => {
    const job = await ctx.db.prisma.job.findUnique({
      where: { id: input.jobId },
      include: { owner: { select: { email: true, name: true } }, attempts: { orderBy: { attempt: 'asc' } } },
    });
    if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: `No job ${input.jobId}.` });
    return {
      id: job.id,
      kind: job.kind,
      title: contractFor(job.kind)?.title ?? job.kind,
      status: job.status,
      owner: job.owner,
      input: storedJson(job.input),
      result: storedJson(job.result),
      error: storedJson(job.error),
      progress: job.progress,
      progressMessage: job.progressMessage,
      progressHistory: storedJson(job.progressHistory),
      priority: job.priority,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      lockedBy: job.lockedBy,
      cancelRequested: job.cancelRequestedAt !== null,
      webhookEndpointId: job.webhookEndpointId,
      createdAt: job.createdAt.toISOString(),
      runAt: job.runAt.toISOString(),
      startedAt: job.startedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
      expiresAt: job.expiresAt?.toISOString() ?? null,
      attempts: job.attempts.map((attempt) => ({
        attempt: attempt.attempt,
        workerId: attempt.workerId,
        outcome: attempt.outcome,
        error: storedJson(attempt.error),
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: attempt.finishedAt?.toISOString() ?? null,
        durationMs: attempt.finishedAt ? attempt.finishedAt.getTime() - attempt.startedAt.getTime() : null,
      })),
    };
  }),

  cancel: adminProcedure.input(selection).mutation(async ({ ctx, input }) => {
    const kinds = await kindsOf(ctx, input.jobIds);
    const results: ActionResult[] = [];
    for (const id of input.jobIds) {
      const outcome = await cancelJob(ctx.db.pool, id, contractFor(kinds.get(id) ?? '')?.retentionMs ?? defaultRetentionMs);
      const message = {
        cancelled: 'Cancelled.',
        cancelling: 'Asked its worker to stop.',
        'not-cancellable': 'Already finished.',
        'not-found': 'No such job.',
      }[outcome.result];
      results.push({ jobId: id, ok: outcome.result === 'cancelled' || outcome.result === 'cancelling', message });
    }
    return { results };
  }),

  /** Each job within its owner's limits; a tracked job is refused (its own system retries it). */
  retry: adminProcedure.input(selection).mutation(async ({ ctx, input }) => {
    const kinds = await kindsOf(ctx, input.jobIds);
    const results: ActionResult[] = [];
    for (const id of input.jobIds) {
      const kind = kinds.get(id);
      results.push(kind === undefined ? { jobId: id, ok: false, message: 'No such job.' } : await retryOne(ctx, { id, kind }));
    }
    return { results };
  }),

  /** Deletes finished or queued jobs (and their attempts). A running job must be cancelled first. */
  delete: adminProcedure.input(selection).mutation(async ({ ctx, input }) => {
    const deleted = await ctx.db.pool.query<{ id: string }>(
      `DELETE FROM job WHERE id = ANY($1::uuid[]) AND status <> 'running' RETURNING id`,
      [input.jobIds],
    );
    const gone = new Set(deleted.rows.map((row) => row.id));
    const results: ActionResult[] = input.jobIds.map((id) => ({
      jobId: id,
      ok: gone.has(id),
      message: gone.has(id) ? 'Deleted.' : 'Running (cancel it first) or no such job.',
    }));
    return { results };
  }),
});
