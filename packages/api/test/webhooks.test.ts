import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { maxEndpointsPerUser } from '../src/webhooks/endpoints.ts';
import { errorOf } from './errors.ts';

let db: TestDatabase;
let aliceId: string;
let alice: ReturnType<typeof createCaller>;
let bob: ReturnType<typeof createCaller>;
const publicUrl = 'https://93.184.215.14/hooks/jobkit';

beforeAll(async () => {
  db = await createTestDatabase();
  aliceId = await createTestUser(db);
  alice = createCaller(createInnerContext({ db, actor: { userId: aliceId, role: 'user' } }));
  bob = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'admin' } }));
});
afterAll(() => db.drop());

describe('webhooks.create', () => {
  it.each([
    ['http://127.0.0.1:8080/', 'is a loopback address'],
    ['http://[::1]/', 'is a loopback address'],
    ['http://localhost/', 'host localhost names this machine'],
    ['http://2130706433/', 'is a loopback address'],
    ['http://0x7f.1/', 'is a loopback address'],
    ['http://169.254.169.254/latest/meta-data/', 'is a link-local address'],
    ['http://10.0.0.1/', 'is a private (RFC 1918) address'],
    ['http://[fd00::1]/', 'is a unique-local address'],
    ['http://100.64.0.1/', 'is a carrier-grade NAT (100.64.0.0/10) address'],
    ['http://[::ffff:127.0.0.1]/', 'is a loopback address'],
    ['http://user:secret@93.184.215.14/', 'must not carry a user name or password'],
  ])('refuses %s with BAD_REQUEST saying why', async (url, why) => {
    const error = await errorOf(alice.webhooks.create({ url }));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(why);
  });

  it('refuses what is not an http(s) URL before looking at it', async () => {
    for (const url of ['ftp://93.184.215.14/', 'javascript:alert(1)', 'hooks']) {
      const error = await errorOf(alice.webhooks.create({ url }));
      expect([error.code, error.message]).toEqual(['BAD_REQUEST', expect.stringContaining('The webhook URL must be an http(s) URL')]);
    }
    expect(await db.prisma.webhookEndpoint.count()).toBe(0);
  });

  it('stores a public endpoint and shows its secret once, in the Standard Webhooks form', async () => {
    const created = await alice.webhooks.create({ url: publicUrl, description: ' Billing ' });
    expect(created).toMatchObject({ url: publicUrl, description: 'Billing' });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const listed = await alice.webhooks.list();
    expect(listed).toContainEqual({ id: created.id, url: publicUrl, description: 'Billing', createdAt: created.createdAt, previousSecretExpiresAt: null });
    expect(JSON.stringify(listed)).not.toContain(created.secret);
  });

  it('lets the allow setting through for intranet receivers', async () => {
    const intranet = createCaller(createInnerContext({ db, actor: { userId: aliceId, role: 'user' }, settings: { webhookAllow: '127.0.0.1, 10.0.0.0/8' } }));
    await expect(intranet.webhooks.create({ url: 'http://127.0.0.1:9999/hook' })).resolves.toMatchObject({ url: 'http://127.0.0.1:9999/hook' });
    await expect(intranet.webhooks.create({ url: 'http://10.20.30.40/hook' })).resolves.toMatchObject({ url: 'http://10.20.30.40/hook' });
    expect((await errorOf(intranet.webhooks.create({ url: 'http://192.168.0.1/' }))).message).toContain('private');
  });

  it(`keeps each user to ${maxEndpointsPerUser} endpoints, even when the creates race`, async () => {
    const carol = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' } }));
    const attempts = await Promise.allSettled(Array.from({ length: maxEndpointsPerUser + 5 }, () => carol.webhooks.create({ url: publicUrl })));
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(maxEndpointsPerUser);
    const error = await errorOf(carol.webhooks.create({ url: publicUrl }));
    expect([error.code, error.message]).toEqual(['BAD_REQUEST', `You have ${maxEndpointsPerUser} webhook endpoints, the most allowed; delete one before creating another.`]);
  });
});

describe('webhooks.rotateSecret', () => {
  it('answers the new secret once and keeps the old one signing until the overlap ends', async () => {
    const created = await alice.webhooks.create({ url: publicUrl });
    const rotated = await alice.webhooks.rotateSecret({ id: created.id });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const row = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect([row.secret, row.previousSecret]).toEqual([rotated.secret, created.secret]);
    const overlapMs = (row.previousSecretExpiresAt?.getTime() ?? 0) - Date.now();
    expect(overlapMs).toBeGreaterThan(23 * 3_600_000);
    expect(overlapMs).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await alice.webhooks.list()).find((endpoint) => endpoint.id === created.id)?.previousSecretExpiresAt).toBe(rotated.previousSecretExpiresAt);

    const again = await alice.webhooks.rotateSecret({ id: created.id, overlapMinutes: 0 });
    const after = await db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: created.id } });
    expect([after.secret, after.previousSecret, again.previousSecretExpiresAt]).toEqual([again.secret, rotated.secret, null]);
    const tooLong = await errorOf(alice.webhooks.rotateSecret({ id: created.id, overlapMinutes: 8 * 24 * 60 }));
    expect([tooLong.code, tooLong.message]).toEqual(['BAD_REQUEST', expect.stringContaining('at most 10080 minutes (7 days)')]);
  });
});

describe('another user’s endpoint', () => {
  it('can be neither seen, rotated, deleted nor named by a start: NOT_FOUND, never FORBIDDEN', async () => {
    const { id } = await alice.webhooks.create({ url: publicUrl });
    expect((await bob.webhooks.list()).map((endpoint) => endpoint.id)).not.toContain(id);
    // Each call starts when it is awaited: two started at once left the second's rejection
    // unhandled while the first was awaited, which vitest reports as an error of the run.
    for (const call of [() => bob.webhooks.rotateSecret({ id }), () => bob.webhooks.delete({ id })]) {
      const error = await errorOf(call());
      expect([error.code, error.message]).toEqual(['NOT_FOUND', `No webhook endpoint ${id}.`]);
    }
    const start = await errorOf(bob.analysis.startDocumentAnalysis({ input: { text: 'x' }, webhookEndpointId: id }));
    expect([start.code, start.message]).toEqual(['NOT_FOUND', `No webhook endpoint ${id}: name one of yours (webhooks.list), or create one with webhooks.create.`]);
    const many = await errorOf(bob.analysis.startMany({ jobs: [{ kind: 'documentAnalysis', input: { text: 'x' }, webhookEndpointId: id }] }));
    expect(many.code).toBe('NOT_FOUND');
    expect(await db.prisma.job.count({ where: { webhookEndpointId: id } })).toBe(0);
  });
});

describe('starts that name an endpoint', () => {
  it('store it on the job, and deleting the endpoint leaves the job without one', async () => {
    const { id } = await alice.webhooks.create({ url: publicUrl });
    const { jobId } = await alice.analysis.startDocumentAnalysis({ input: { text: 'x' }, webhookEndpointId: id });
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).webhookEndpointId).toBe(id);
    const many = await alice.analysis.startMany({ jobs: Array.from({ length: 3 }, () => ({ kind: 'documentAnalysis' as const, input: { text: 'x' }, webhookEndpointId: id })) });
    expect(await db.prisma.job.count({ where: { id: { in: many.jobs.map((job) => job.jobId) }, webhookEndpointId: id } })).toBe(3);
    expect((await errorOf(alice.analysis.startDocumentAnalysis({ input: { text: 'x' }, webhookEndpointId: 'nope' }))).message).toContain(
      'webhookEndpointId is the id of one of your webhook endpoints',
    );
    expect(await alice.webhooks.delete({ id })).toEqual({ id, deleted: true });
    expect((await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })).webhookEndpointId).toBeNull();
    expect((await errorOf(alice.webhooks.delete({ id }))).code).toBe('NOT_FOUND');
  });
});
