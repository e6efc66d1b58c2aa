import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext, createUser, memorySessionCookie, resolveActor } from '../src/index.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());


describe('sign-in', () => {
  it('opens a session for the right password, case-insensitively by email, and closes it on sign-out', async () => {
    const user = await createUser(db, { email: 'Ada@Example.com', name: 'Ada', password: 'analytical engine' });
    const stored = await db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.email).toBe('ada@example.com');
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const session = memorySessionCookie();
    const anonymous = createCaller(createInnerContext({ db, actor: null, session }));
    expect(await anonymous.auth.me()).toBeNull();
    const wrong = await errorOf(anonymous.auth.signIn({ email: 'ada@example.com', password: 'difference engine' }));
    expect([wrong.code, wrong.message]).toEqual(['UNAUTHORIZED', 'That email and password do not match an account.']);
    const unknown = await errorOf(anonymous.auth.signIn({ email: 'nobody@example.com', password: 'analytical engine' }));
    expect(unknown.message).toBe(wrong.message);
    expect(session.current).toBeUndefined();

    await anonymous.auth.signIn({ email: 'ADA@example.com', password: 'analytical engine' });
    const token = session.current ?? '';
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(await resolveActor(db, { sessionToken: token })).toEqual({ userId: user.id, role: 'user' });

    const signedIn = createCaller(createInnerContext({ db, actor: { userId: user.id, role: 'user' }, session }));
    expect(await signedIn.auth.me()).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    await signedIn.auth.signOut();
    expect(session.current).toBeUndefined();
    expect(await resolveActor(db, { sessionToken: token })).toBeNull();
  });

  it('refuses duplicate emails and short passwords with messages that say why', async () => {
    await createUser(db, { email: 'grace@example.com', name: 'Grace', password: 'compilers rule' });
    await expect(createUser(db, { email: 'GRACE@example.com', name: 'G', password: 'compilers rule' })).rejects.toThrow(/already exists/);
    await expect(createUser(db, { email: 'linus@example.com', name: 'L', password: 'short' })).rejects.toThrow(/at least 10 characters/);
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, work as Bearer tokens until revoked, and only by their owner', async () => {
    const ownerId = await createTestUser(db);
    const owner = createCaller(createInnerContext({ db, actor: { userId: ownerId, role: 'user' } }));
    const created = await owner.tokens.create({ name: 'nightly import' });
    expect(created.token).toMatch(/^jk_[\w-]{43}$/);
    const row = await db.prisma.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(await owner.tokens.list())).not.toContain(created.token);

    expect(await resolveActor(db, { authorization: `Bearer ${created.token}` })).toEqual({ userId: ownerId, role: 'user' });
    expect(await resolveActor(db, { authorization: `Bearer ${created.token}x` })).toBeNull();
    expect(await resolveActor(db, { authorization: 'Basic abc', sessionToken: 'whatever' })).toBeNull();

    const stranger = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
    expect((await errorOf(stranger.tokens.revoke({ id: created.id }))).code).toBe('NOT_FOUND');
    await owner.tokens.revoke({ id: created.id });
    expect(await resolveActor(db, { authorization: `Bearer ${created.token}` })).toBeNull();
    expect((await owner.tokens.list())[0]?.revokedAt).not.toBeNull();
  });
});

describe('limits', () => {
  it('refuses starts past the active-job and per-minute limits, saying which and what to do', async () => {
    const userId = await createTestUser(db);
    const tight = createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings: { maxActiveJobsPerUser: 2 } }));
    await tight.analysis.startMany({ jobs: [{ kind: 'documentAnalysis', input: { text: 'a' } }, { kind: 'documentAnalysis', input: { text: 'b' } }] });
    const active = await errorOf(tight.analysis.startDocumentAnalysis({ input: { text: 'c' } }));
    expect([active.code, active.message]).toEqual([
      'TOO_MANY_REQUESTS',
      'You have 2 jobs queued or running; the limit is 2. Wait for some to finish or cancel them.',
    ]);
    await db.pool.query(`UPDATE job SET status = 'completed' WHERE owner_id = $1`, [userId]);
    const perMinute = createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings: { maxStartsPerMinute: 2 } }));
    const rate = await errorOf(perMinute.analysis.startDocumentAnalysis({ input: { text: 'd' } }));
    expect(rate.message).toBe('You started 2 jobs in the last minute; the limit is 2 a minute. Try again in a minute.');
  });

  it('turns a limit of 0 off, and counts no further than one past a limit', async () => {
    const userId = await createTestUser(db);
    const unlimited = createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings: { maxActiveJobsPerUser: 0, maxStartsPerMinute: 0 } }));
    const jobs = Array.from({ length: 5 }, (_, n) => ({ kind: 'documentAnalysis' as const, input: { text: `job ${n}` } }));
    expect((await unlimited.analysis.startMany({ jobs })).jobs).toHaveLength(5);
    const tight = createCaller(createInnerContext({ db, actor: { userId, role: 'user' }, settings: { maxActiveJobsPerUser: 2, maxStartsPerMinute: 0 } }));
    const active = await errorOf(tight.analysis.startDocumentAnalysis({ input: { text: 'one more' } }));
    expect(active.message).toBe('You have more than 2 jobs queued or running; the limit is 2. Wait for some to finish or cancel them.');
  });
});
