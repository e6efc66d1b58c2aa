import { inTransaction, statementFor, type Queryable } from '@jobkit/db';
import { jobContracts, trackedJob } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import type { InnerContext } from './context.ts';
import { firstUuidAt } from './uuid-time.ts';

// Webhook deliveries are made by the system when a job ends, not by the user: they count against
// nothing. Tracked jobs are created by the user (through the API) and count like any other.
const uncountedKinds = Object.values(jobContracts)
  .filter((contract) => contract.internal && contract.kind !== trackedJob.kind)
  .map((contract) => contract.kind);

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

// Transaction-scoped, so it is let go at commit or rollback, whatever happens to the process. The
// two-key form keeps it apart from the single-key locks of migrations and the retention sweep; a
// hash collision between two owners only makes them wait for each other.
const ownerLockNamespace = 0x4a4b; // "JK"
const lockOwnerSql = 'SELECT pg_advisory_xact_lock($1, hashtext($2::text))';

/** How many to count for a limit: enough to tell whether it is passed, nothing when it is off. */
const countUpTo = (limit: number): number => (limit > 0 ? limit + 1 : 0);

/** Whose limits: the caller's own, or (for an admin acting on another user's job) its owner's. */
export type LimitSubject = 'caller' | 'owner';

/**
 * Runs `create`, which adds or re-queues `starting` jobs of `ownerId` on the client it is given,
 * only if that keeps the owner within their limits; otherwise refuses, saying which limit and what
 * to do. The count and `create` run in one transaction under a lock per owner, so starts racing
 * each other, on any number of server processes, cannot pass a limit together.
 */
export async function withinLimits<T>(
  ctx: Pick<InnerContext, 'db' | 'settings'>,
  request: { ownerId: string; starting: number; subject: LimitSubject },
  create: (db: Queryable) => Promise<T>,
): Promise<T> {
  const { maxActiveJobsPerUser, maxStartsPerMinute } = ctx.settings;
  if (maxActiveJobsPerUser <= 0 && maxStartsPerMinute <= 0) return create(ctx.db.pool);
  // One waiter per owner in this process: a flood of one user's starts queues here, not in
  // PostgreSQL lock waits that would hold every pooled connection (and stall other users).
  return oneAtATime(request.ownerId, () =>
    inTransaction(ctx.db.pool, async (client) => {
      await client.query(lockOwnerSql, [ownerLockNamespace, request.ownerId]);
      const { rows } = await client.query<{ active: string; recent: string }>({
        ...statementFor(client, limitCountsSql),
        values: [
          request.ownerId,
          firstUuidAt(Date.now() - 60_000),
          uncountedKinds,
          countUpTo(maxActiveJobsPerUser),
          countUpTo(maxStartsPerMinute),
        ],
      });
      const counts = { active: Number(rows[0]?.active), recent: Number(rows[0]?.recent) };
      assertWithin(ctx.settings, counts, request);
      return create(client);
    }),
  );
}

function assertWithin(
  settings: InnerContext['settings'],
  { active, recent }: { active: number; recent: number },
  { starting, subject }: { starting: number; subject: LimitSubject },
): void {
  const { maxActiveJobsPerUser, maxStartsPerMinute } = settings;
  const [has, started] = subject === 'caller' ? ['You have', 'You started'] : ['Its owner has', 'Its owner started'];
  if (maxActiveJobsPerUser > 0 && active + starting > maxActiveJobsPerUser) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `${has} ${atMost(active, maxActiveJobsPerUser)} jobs queued or running; the limit is ${maxActiveJobsPerUser}. Wait for some to finish or cancel them.`,
    });
  }
  if (maxStartsPerMinute > 0 && recent + starting > maxStartsPerMinute) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `${started} ${atMost(recent, maxStartsPerMinute)} jobs in the last minute; the limit is ${maxStartsPerMinute} a minute. Try again in a minute.`,
    });
  }
}

/** A count that stopped past its limit says so rather than give a number it did not count. */
const atMost = (count: number, limit: number): string => (count > limit ? `more than ${limit}` : String(count));

const tails = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier `work` of the same key in this process has settled. */
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const current = previous.then(work, work);
  const tail = current.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await current;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
