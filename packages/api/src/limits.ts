import { jobContracts } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import type { Actor, InnerContext } from './context.ts';
import { firstUuidAt } from './uuid-time.ts';

const internalKinds = Object.values(jobContracts).filter((contract) => contract.internal).map((contract) => contract.kind);

// Each count stops one past its limit (a limit of 0 is off and counts nothing): a start costs at
// most `limit + 1` index entries, however many jobs the user has queued. Both use the owner indexes.
const limitCountsSql = {
  name: 'jobkit_limit_counts',
  text: `
SELECT
  (SELECT count(*) FROM (
     SELECT 1 FROM job WHERE owner_id = $1 AND status IN ('queued', 'running') AND kind <> ALL($3) LIMIT $4
   ) AS active) AS active,
  (SELECT count(*) FROM (
     SELECT 1 FROM job WHERE owner_id = $1 AND id >= $2 AND kind <> ALL($3) LIMIT $5
   ) AS recent) AS recent`,
};

/** How many to count for a limit: enough to tell whether it is passed, nothing when it is off. */
const countUpTo = (limit: number): number => (limit > 0 ? limit + 1 : 0);

/**
 * Refuses a start that would take the caller past their limits, saying which and what to do.
 * Starts racing each other may pass a limit by a few jobs.
 */
export async function assertWithinLimits(ctx: InnerContext & { actor: Actor }, starting: number): Promise<void> {
  const { maxActiveJobsPerUser, maxStartsPerMinute } = ctx.settings;
  if (maxActiveJobsPerUser <= 0 && maxStartsPerMinute <= 0) return;
  const { rows } = await ctx.db.pool.query<{ active: string; recent: string }>({
    ...limitCountsSql,
    values: [
      ctx.actor.userId,
      firstUuidAt(Date.now() - 60_000),
      internalKinds,
      countUpTo(maxActiveJobsPerUser),
      countUpTo(maxStartsPerMinute),
    ],
  });
  const active = Number(rows[0]?.active);
  const recent = Number(rows[0]?.recent);
  if (maxActiveJobsPerUser > 0 && active + starting > maxActiveJobsPerUser) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You have ${atMost(active, maxActiveJobsPerUser)} jobs queued or running; the limit is ${maxActiveJobsPerUser}. Wait for some to finish or cancel them.`,
    });
  }
  if (maxStartsPerMinute > 0 && recent + starting > maxStartsPerMinute) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You started ${atMost(recent, maxStartsPerMinute)} jobs in the last minute; the limit is ${maxStartsPerMinute} a minute. Try again in a minute.`,
    });
  }
}

/** A count that stopped past its limit says so rather than give a number it did not count. */
const atMost = (count: number, limit: number): string => (count > limit ? `more than ${limit}` : String(count));
