import { statementFor, type Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';

/**
 * Sign-in throttling, per account and per client address, kept in PostgreSQL so it holds across
 * server processes. Every attempt is counted before its password is checked, in one guarded upsert
 * (so 50 attempts sent at once are counted one after another, and the ones past the limit are
 * refused without a password check); a success takes its own attempt back. Past a few attempts each
 * further one locks the key for twice as long as the one before, up to a bound: nobody can lock a
 * real user out for longer than that after their last attempt, and a lock is never extended by the
 * attempts it refuses. Unknown emails are counted exactly like real ones, so the throttle does not
 * tell which accounts exist. Keys: `address:<ip>`, `account:<email>`, and `known:<email>|<ip>` for
 * an address the account signed in from (counted apart, see countSignInAttempt).
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

// A success takes its attempt back from the address (one right password does not excuse the wrong
// ones sent from there before), clears the key the attempt was counted on, and makes the address
// known for the account. Rows quiet for a day (known addresses: 30 days) are dropped.
const forgiveSql = `
WITH counted AS (DELETE FROM sign_in_throttle WHERE key = $1::text AND $1::text IS DISTINCT FROM $3::text),
address AS (UPDATE sign_in_throttle SET failures = greatest(failures - 1, 0) WHERE key = $2),
known AS (
  INSERT INTO sign_in_throttle (key, failures, locked_until, updated_at)
  SELECT $3::text, 0, NULL, now() WHERE $3::text IS NOT NULL
  ON CONFLICT (key) DO UPDATE SET failures = 0, locked_until = NULL, updated_at = now()
)
DELETE FROM sign_in_throttle WHERE key IN (
  SELECT key FROM sign_in_throttle
  WHERE updated_at < now() - CASE WHEN key LIKE 'known:%' THEN interval '30 days' ELSE interval '1 day' END
  LIMIT 100)`;

export interface SignInAttempt {
  email: string;
  clientAddress: string | null;
}

/** Where an attempt was counted, for `forgiveSignIn`. */
export interface CountedAttempt {
  accountKey: string;
  addressKey: string | null;
  knownKey: string | null;
}

/**
 * Counts a sign-in attempt, or refuses it with how long to wait (TOO_MANY_REQUESTS). An attempt
 * from an address the account signed in from before is counted apart from all others: an attacker
 * elsewhere who locks the account does not lock its owner out at their usual address.
 */
export async function countSignInAttempt(db: Database, { email, clientAddress }: SignInAttempt): Promise<CountedAttempt> {
  const addressKey = clientAddress === null ? null : `address:${clientAddress}`;
  const knownKey = clientAddress === null ? null : `known:${email}|${clientAddress}`;
  // The address first: an address that is spraying many accounts stops before it costs any of them.
  if (addressKey !== null) await countOrRefuse(db, addressKey, addressThrottle, 'from your network address');
  const known = knownKey !== null && (await db.pool.query('SELECT 1 FROM sign_in_throttle WHERE key = $1', [knownKey])).rowCount === 1;
  const accountKey = known ? knownKey : `account:${email}`;
  await countOrRefuse(db, accountKey, accountThrottle, 'for this account');
  return { accountKey, addressKey, knownKey };
}

/** After the right password: the key it was counted on starts afresh, and the address is known. */
export async function forgiveSignIn(db: Database, counted: CountedAttempt): Promise<void> {
  await db.pool.query(forgiveSql, [counted.accountKey, counted.addressKey, counted.knownKey]);
}

async function countOrRefuse(db: Database, key: string, policy: ThrottlePolicy, whose: string): Promise<void> {
  const { freeAttempts, firstLockMs, maxLockMs, forgetAfterMs } = policy;
  const counted = await db.pool.query({ ...statementFor(db.pool, countAttemptSql), values: [key, freeAttempts, firstLockMs, maxLockMs, forgetAfterMs] });
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
