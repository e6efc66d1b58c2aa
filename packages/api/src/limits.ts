import { jobContracts } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import type { Actor, InnerContext } from './context.ts';
import { firstUuidAt } from './uuid-time.ts';

const internalKinds = Object.values(jobContracts).filter((contract) => contract.internal).map((contract) => contract.kind);


/**
 * Refuses a start that would take the caller past their limits, saying which and what to do.
 * Both counts use the owner indexes. Starts racing each other may pass a limit by a few jobs.
 */
export async function assertWithinLimits(ctx: InnerContext & { actor: Actor }, starting: number): Promise<void> {
  const { rows } = await ctx.db.pool.query<{ active: string; recent: string }>(
    `SELECT
       (SELECT count(*) FROM job WHERE owner_id = $1 AND status IN ('queued', 'running') AND kind <> ALL($3)) AS active,
       (SELECT count(*) FROM job WHERE owner_id = $1 AND id >= $2 AND kind <> ALL($3)) AS recent`,
    [ctx.actor.userId, firstUuidAt(Date.now() - 60_000), internalKinds],
  );
  const active = Number(rows[0]?.active);
  const recent = Number(rows[0]?.recent);
  const { maxActiveJobsPerUser, maxStartsPerMinute } = ctx.settings;
  if (active + starting > maxActiveJobsPerUser) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You have ${active} jobs queued or running; the limit is ${maxActiveJobsPerUser}. Wait for some to finish or cancel them.`,
    });
  }
  if (recent + starting > maxStartsPerMinute) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You started ${recent} jobs in the last minute; the limit is ${maxStartsPerMinute} a minute. Try again in a minute.`,
    });
  }
}
