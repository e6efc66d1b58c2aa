import { createTestDatabase, type TestDatabase } from '@jobkit/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountThrottle, addressThrottle, inWords } from '../src/auth/throttle.ts';
import { createCaller, createInnerContext, createUser } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const password = 'correct horse battery staple';

/** A caller from one network address (each test its own, unless it says otherwise). */
function from(clientAddress: string | null) {
  return createCaller(createInnerContext({ db, actor: null, clientAddress }));
}

async function newAccount(): Promise<string> {
  const email = `${randomUUID()}@example.test`;
  await createUser(db, { email, name: 'Ada', password });
  return email;
}

/** Makes the throttle's lock on a key lapse, as if its wait had passed. */
async function letLockLapse(key: string): Promise<void> {
  await db.pool.query(`UPDATE sign_in_throttle SET locked_until = now() - interval '1 second' WHERE key = $1`, [key]);
}

describe('sign-in throttling', () => {
  it('locks an account after a few wrong passwords, with the wait in the error, even for the right password', async () => {
    const email = await newAccount();
    const caller = from('192.0.2.1');
    for (let n = 0; n < accountThrottle.freeAttempts; n++) {
      expect((await errorOf(caller.auth.signIn({ email, password: 'wrong password' }))).code).toBe('UNAUTHORIZED');
    }
    const locked = await errorOf(caller.auth.signIn({ email, password }));
    expect([locked.code, locked.message]).toEqual(['TOO_MANY_REQUESTS', 'Too many failed sign-ins for this account; try again in 30 seconds.']);
    // From another address too: the account is what is being guessed.
    expect((await errorOf(from('192.0.2.2').auth.signIn({ email, password }))).code).toBe('TOO_MANY_REQUESTS');

    // Each attempt after the lock doubles it: 1 minute, then 2 minutes.
    await letLockLapse(`account:${email}`);
    expect((await errorOf(caller.auth.signIn({ email, password: 'wrong again' }))).code).toBe('UNAUTHORIZED');
    expect((await errorOf(caller.auth.signIn({ email, password }))).message).toMatch(/try again in 1 minutes?\.$|try again in 60 seconds\.$/);
    await letLockLapse(`account:${email}`);
    expect((await errorOf(caller.auth.signIn({ email, password: 'wrong again' }))).code).toBe('UNAUTHORIZED');
    expect((await errorOf(caller.auth.signIn({ email, password }))).message).toBe(
      'Too many failed sign-ins for this account; try again in 2 minutes.',
    );
  });

  it('throttles unknown emails exactly like real accounts, so it does not tell which exist', async () => {
    const real = await newAccount();
    const unknown = `${randomUUID()}@example.test`;
    const answers: string[] = [];
    for (const email of [real, unknown]) {
      const caller = from(null);
      for (let n = 0; n <= accountThrottle.freeAttempts; n++) {
        answers.push((await errorOf(caller.auth.signIn({ email, password: 'wrong password' }))).message);
      }
    }
    const half = accountThrottle.freeAttempts + 1;
    expect(answers.slice(0, half)).toEqual(answers.slice(half));
    expect(answers.at(-1)).toMatch(/^Too many failed sign-ins for this account/);
  });

  it('counts attempts sent at once one after another: no more than the free attempts reach the password check', async () => {
    const email = await newAccount();
    const caller = from('192.0.2.3');
    const codes = await Promise.all(
      Array.from({ length: 30 }, async () => (await errorOf(caller.auth.signIn({ email, password: 'wrong password' }))).code),
    );
    expect(codes.filter((code) => code === 'UNAUTHORIZED')).toHaveLength(accountThrottle.freeAttempts);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(30 - accountThrottle.freeAttempts);
  });

  it('starts an account afresh after a success', async () => {
    const email = await newAccount();
    const caller = from('192.0.2.4');
    for (let n = 0; n < accountThrottle.freeAttempts - 1; n++) await errorOf(caller.auth.signIn({ email, password: 'wrong' }));
    await caller.auth.signIn({ email, password });
    for (let n = 0; n < accountThrottle.freeAttempts - 1; n++) {
      expect((await errorOf(caller.auth.signIn({ email, password: 'wrong' }))).code).toBe('UNAUTHORIZED');
    }
    expect((await caller.auth.signIn({ email, password })).email).toBe(email);
  });

  it('bounds the lock, however many attempts an attacker has made, and never extends it by refused attempts', async () => {
    const email = await newAccount();
    const key = `account:${email}`;
    await db.pool.query(
      `INSERT INTO sign_in_throttle (key, failures, locked_until, updated_at) VALUES ($1, 5000, now() - interval '1 second', now())`,
      [key],
    );
    expect((await errorOf(from(null).auth.signIn({ email, password: 'wrong' }))).code).toBe('UNAUTHORIZED');
    const lockedFor = async () =>
      (await db.pool.query<{ ms: number }>(`SELECT extract(epoch FROM locked_until - now()) * 1000 AS ms FROM sign_in_throttle WHERE key = $1`, [key]))
        .rows[0]?.ms;
    const lock = Number(await lockedFor());
    expect(lock).toBeGreaterThan(accountThrottle.maxLockMs - 60_000);
    expect(lock).toBeLessThanOrEqual(accountThrottle.maxLockMs);
    const refused = await errorOf(from(null).auth.signIn({ email, password }));
    expect(refused.message).toBe('Too many failed sign-ins for this account; try again in 15 minutes.');
    expect(Number(await lockedFor())).toBeLessThanOrEqual(lock);
  });

  it('does not let an attacker who locks an account keep its owner out where they signed in before', async () => {
    const email = await newAccount();
    const owner = from('192.0.2.10');
    await owner.auth.signIn({ email, password });
    const attacker = from('203.0.113.66');
    for (let n = 0; n < 20; n++) await errorOf(attacker.auth.signIn({ email, password: `guess ${String(n)}` }));
    expect((await errorOf(attacker.auth.signIn({ email, password }))).code).toBe('TOO_MANY_REQUESTS');
    expect((await errorOf(from('192.0.2.11').auth.signIn({ email, password }))).code).toBe('TOO_MANY_REQUESTS');
    // The owner, from the address they signed in from before, is counted apart, and signs in.
    expect((await owner.auth.signIn({ email, password })).email).toBe(email);
    // Their own wrong passwords there are throttled all the same, and their success leaves the attacker's lock.
    for (let n = 0; n < accountThrottle.freeAttempts; n++) await errorOf(owner.auth.signIn({ email, password: 'typo' }));
    expect((await errorOf(owner.auth.signIn({ email, password }))).code).toBe('TOO_MANY_REQUESTS');
    expect((await errorOf(attacker.auth.signIn({ email, password }))).code).toBe('TOO_MANY_REQUESTS');
  });

  it('limits one address trying many accounts, whichever exist', async () => {
    const caller = from('198.51.100.7');
    for (let n = 0; n < addressThrottle.freeAttempts; n++) {
      const email = `${randomUUID()}@example.test`;
      expect((await errorOf(caller.auth.signIn({ email, password: 'guess' }))).code).toBe('UNAUTHORIZED');
    }
    const email = await newAccount();
    const refused = await errorOf(caller.auth.signIn({ email, password }));
    expect([refused.code, refused.message]).toEqual([
      'TOO_MANY_REQUESTS',
      'Too many failed sign-ins from your network address; try again in 30 seconds.',
    ]);
    expect((await from('198.51.100.8').auth.signIn({ email, password })).email).toBe(email);
  });

  it('says a wait in words a person reads', () => {
    expect([inWords(400), inWords(30_000), inWords(60_000), inWords(61_000), inWords(15 * 60_000)]).toEqual([
      '1 second', '30 seconds', '60 seconds', '2 minutes', '15 minutes',
    ]);
  });
});
