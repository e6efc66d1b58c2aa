import type { Prisma } from '@jobkit/db';
import type { Actor } from './context.ts';

/**
 * The one place that decides which jobs an actor may see or act on. Every job query includes it,
 * so a job of another user is simply not found (NOT_FOUND, never FORBIDDEN, which would confirm
 * that the id exists).
 */
export function visibleJobs(actor: Actor): Prisma.JobWhereInput {
  return actor.role === 'admin' ? {} : { ownerId: actor.userId };
}
