import type { Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';

/**
 * Sign-in throttling, per account and per client address, kept in PostgreSQL so it holds across
 * server processes. Every attempt is counted before its password is checked, in one guarded upsert
 * (so 50 attempts sent at once are counted one after another, and the ones past the limit are
 * refused without a password check); a success takes its own attempt back. Past a few attempts each
 * further one locks the key for twice as long as the one before, up to a bound: nobody can lock a
 * real user out for longer than that after their last attempt, and a lock is never extended by the
 * attempts it refuses. Unknown emails are counted exactly like real ones, so the throttle does not
 * tell which accounts exist.
 */
export interface ThrottlePolicy {
  /** Attempts allowed before the first lock. */
  freeAttempts: number;
  /** The first lock; each attempt after it doubles it. */
  firstLockMs: number;
  /** The longest lock, whatever the count. */
  maxLockMs: number;
  /** A key with no attempt for this long starts counting again from zero. */
  forgetAfterMs: number;
}

const minute = 60_000;
export const accountThrottle: ThrottlePolicy = { freeAttempts: 5, firstLockMs: 30_000, maxLockMs: 15 * minute, forgetAfterMs: 60 * minute };
// Generous: an office or a mobile carrier puts many people behind one address.
export const addressThrottle: ThrottlePolicy = { freeAttempts: 30, firstLockMs: 30_000, maxLockMs: 15 * minute, forgetAfterMs: 60 * minute };

// The attempts of a key, restarting from 1 when it was quiet for `forgetAfterMs` ($5).
const counted = `CASE WHEN t.updated_at < now() - $5::float8 * interval '1 millisecond' THEN 1 ELSE t.failures + 1 END`;
// The lock an attempt leaves: none within the free attempts ($2), then firstLockMs ($3) doubling
// with each attempt up to maxLockMs ($4); the exponent is capped so the power stays finite.
const lockAfter = (attempts: string) =>
  `CASE WHEN ${attempts} >= $2::int
   THEN now() + least($4::float8, $3::float8 * 2::float8 ^ least(${attempts} - $2::int, 30)) * interval '1 millisecond' END`;

// Counts the attempt unless the key is locked; answers no row when it is.
const countAttemptSql = {
  name: 'jobkit_count_sign_in_attempt',
  text: `
INSERT INTO sign_in_throttle AS t (key, failures, locked_until, updated_at)
VALUES ($1, 1, ${lockAfter('1')}, now())
ON CONFLICT (key) DO UPDATE SET failures = ${counted}, locked_until = ${lockAfter(counted)}, updated_at = now()
WHERE t.locked_until IS NULL OR t.locked_until <= now()
RETURNING failures`,
};

const lockedForSql = `SELECT greatest(0, extract(epoch FROM locked_until - now()) * 1000)::float8 AS wait_ms FROM sign_in_throttle WHERE key = $1`;

// A success takes its attempt back from the address (one right password does not excuse the
// wrong ones sent from there before) and clears the account; rows quiet for a day are dropped.
const forgiveSql = `
WITH account AS (DELETE FROM sign_in_throttle WHERE key = $1),
address AS (UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE key = $2)
DELETE FROM sign_in_throttle WHERE key IN (
  SELECT key FROM sign_in_throttle WHERE updated_at < now() - interval '1 day' LIMIT 100)`;

export interface SignInAttempt {
  email: string;
  clientAddress: string | null;
}

const keysOf = ({ email, clientAddress }: SignInAttempt) => ({
  account: `account:${email}`,
  address: clientAddress === null ? null : `address:${clientAddress}`,
});

/** Counts a sign-in attempt, or refuses it with how long to wait (TOO_MANY_REQUESTS). */
export async function countSignInAttempt(db: Database, attempt: SignInAttempt): Promise<void> {
  const { account, address } = keysOf(attempt);
  // The address first: an address that is spraying many accounts stops before it costs any of them.
  if (address !== null) await countOrRefuse(db, address, addressThrottle, 'from your network address');
  await countOrRefuse(db, account, accountThrottle, 'for this account');
}

/** After the right password: the account starts afresh. */
export async function forgiveSignIn(db: Database, attempt: SignInAttempt): Promise<void> {
  const { account, address } = keysOf(attempt);
  await db.pool.query(forgiveSql, [account, address]);
}

async function countOrRefuse(db: Database, key: string, policy: ThrottlePolicy, whose: string): Promise<void> {
  const { freeAttempts, firstLockMs, maxLockMs, forgetAfterMs } = policy;
  const counted = await db.pool.query({ ...countAttemptSql, values: [key, freeAttempts, firstLockMs, maxLockMs, forgetAfterMs] });
  if (counted.rowCount === 1) return;
  const { rows } = await db.pool.query<{ wait_ms: number }>(lockedForSql, [key]);
  throw new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many failed sign-ins ${whose}; try again in ${inWords(rows[0]?.wait_ms ?? firstLockMs)}.`,
  });
}

/** A wait for people: whole seconds under a minute, whole minutes (rounded up) above. */
export function inWords(ms: number): string {
  if (ms <= 60_000) {
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    return seconds === 1 ? '1 second' : `${seconds} seconds`;
  }
  const minutes = Math.ceil(ms / 60_000);
  return `${minutes} minutes`;
}
