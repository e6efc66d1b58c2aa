import type { Database, Prisma } from '@jobkit/db';
import { TRPCError } from '@trpc/server';
import type { Actor } from './context.ts';

/**
 * The one place that decides which jobs an actor may see or act on. Every job query includes it,
 * so a job of another user is simply not found (NOT_FOUND, never FORBIDDEN, which would confirm
 * that the id exists). Jobs past their retention count as gone even before the sweep deletes them.
 */
export function visibleJobs(actor: Actor): Prisma.JobWhereInput {
  return {
    ...ownerFilter(actor),
    OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
  };
}

/** Whose jobs the actor may see: their own, or anyone's (null) for an admin. */
export function visibleOwner(actor: Actor): string | null {
  return actor.role === 'admin' ? null : actor.userId;
}

function ownerFilter(actor: Actor): { ownerId?: string } {
  const ownerId = visibleOwner(actor);
  return ownerId === null ? {} : { ownerId };
}

/** NOT_FOUND for a job the actor cannot see, saying when it expired if it did. */
export async function jobNotFound(db: Database, actor: Actor, jobId: string): Promise<TRPCError> {
  const owner = ownerFilter(actor);
  const tombstone = await db.prisma.expiredJob.findFirst({ where: { id: jobId, ...owner }, select: { expiredAt: true } });
  const lapsed = tombstone
    ? null
    : await db.prisma.job.findFirst({ where: { id: jobId, ...owner, expiresAt: { lte: new Date() } }, select: { expiresAt: true } });
  const expiredAt = tombstone?.expiredAt ?? lapsed?.expiresAt;
  if (expiredAt) {
    return new TRPCError({
      code: 'NOT_FOUND',
      message: `Job ${jobId} expired on ${expiredAt.toISOString()}: finished jobs are kept for a limited time, then deleted.`,
    });
  }
  return new TRPCError({ code: 'NOT_FOUND', message: `No job ${jobId}.` });
}

/** The job's kind, if the actor may act on it; otherwise the NOT_FOUND above. */
export async function findVisibleJob(db: Database, actor: Actor, jobId: string): Promise<{ id: string; kind: string }> {
  const job = await db.prisma.job.findFirst({ where: { id: jobId, ...visibleJobs(actor) }, select: { id: true, kind: true } });
  if (!job) throw await jobNotFound(db, actor, jobId);
  return job;
}
