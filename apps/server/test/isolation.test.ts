/**
 * Isolation suite, over real HTTP: two users and an admin calling each other's jobs and tokens by
 * hand, then every procedure of the router (walked from the router itself) called by one user with
 * inputs generated from its schema, every id drawn from the other user's rows. No cross-user read
 * and no cross-user action may succeed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { call, startHarness, userWithToken, type HttpHarness } from './harness.ts';
import { everyProcedure, wellFormedInputs } from './procedures.ts';
import { seedCallerRows } from './seed.ts';

let harness: HttpHarness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const started = z.object({ result: z.object({ data: z.object({ jobId: z.uuid() }) }) });
const tokenCreated = z.object({ result: z.object({ data: z.object({ id: z.uuid() }) }) });

it('lets no user read or act on another user’s jobs or tokens; admins read all jobs', async () => {
  const { baseUrl, db } = harness;
  const people = {
    alice: await userWithToken(db),
    bob: await userWithToken(db),
    admin: await userWithToken(db, 'admin'),
  };
  const own: Record<string, { jobs: string[]; tokenId: string }> = {};
  for (const [name, person] of Object.entries(people)) {
    const jobs: string[] = [];
    for (const text of ['Queued one.', 'Failed one.']) {
      const response = await call(baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token: person.token, input: { input: { text } } });
      jobs.push(started.parse(response.body).result.data.jobId);
    }
    // The second job fails, so that retry is a valid action for its owner.
    await db.pool.query(`UPDATE job SET status = 'failed', finished_at = now() WHERE id = $1`, [jobs[1]]);
    const token = await call(baseUrl, 'tokens.create', 'mutation', { token: person.token, input: { name: 'spare' } });
    own[name] = { jobs, tokenId: tokenCreated.parse(token.body).result.data.id };
  }
  const before = await db.pool.query<{ state: string }>(`SELECT string_agg(id::text || status::text || version::text, ',' ORDER BY id) AS state FROM job`);

  let calls = 0;
  let crossReads = 0;
  let crossActions = 0;
  for (const [name, person] of Object.entries(people)) {
    for (const [otherName, other] of Object.entries(own)) {
      if (otherName === name) continue;
      for (const jobId of other.jobs) {
        const read = await call(baseUrl, 'jobs.getJob', 'query', { token: person.token, input: { jobId } });
        calls++;
        const adminMayRead = person === people.admin;
        if (read.status === 200 && !adminMayRead) crossReads++;
        expect(read.status).toBe(adminMayRead ? 200 : 404);
        if (!adminMayRead) {
          for (const procedure of ['jobs.cancelJob', 'jobs.retryJob']) {
            const action = await call(baseUrl, procedure, 'mutation', { token: person.token, input: { jobId } });
            calls++;
            if (action.status < 400) crossActions++;
            expect(action.status).toBe(404);
          }
        }
      }
      const revoke = await call(baseUrl, 'tokens.revoke', 'mutation', { token: person.token, input: { id: other.tokenId } });
      calls++;
      if (revoke.status < 400) crossActions++;
      expect(revoke.status).toBe(404);
    }
    const list = await call(baseUrl, 'jobs.listJobs', 'query', { token: person.token, input: {} });
    calls++;
    const listed = z.object({ result: z.object({ data: z.object({ items: z.array(z.object({ id: z.string() })) }) }) }).parse(list.body);
    const foreign = listed.result.data.items.filter((item) => !own[name]?.jobs.includes(item.id));
    crossReads += foreign.length;
    expect(foreign).toEqual([]);
  }

  const after = await db.pool.query<{ state: string }>(`SELECT string_agg(id::text || status::text || version::text, ',' ORDER BY id) AS state FROM job`);
  expect(after.rows[0]?.state).toBe(before.rows[0]?.state);
  expect(await db.prisma.apiToken.count({ where: { revokedAt: { not: null } } })).toBe(0);
  console.log(`[isolation] ${calls} cross-user calls over HTTP: ${crossReads} cross reads, ${crossActions} cross actions`);
  expect([crossReads, crossActions]).toEqual([0, 0]);
});

/** Everything of one user's that another could read or change, as one comparable value. */
async function rowsOf(userId: string): Promise<string> {
  const { rows } = await harness.db.pool.query<{ state: unknown }>(
    `SELECT json_build_object(
       'jobs', (SELECT json_agg(json_build_array(id, status, version, cancel_requested_at, result) ORDER BY id) FROM job WHERE owner_id = $1),
       'tokens', (SELECT json_agg(json_build_array(id, name, revoked_at) ORDER BY id) FROM api_token WHERE user_id = $1),
       'files', (SELECT json_agg(json_build_array(id, name, attached_at) ORDER BY id) FROM stored_file WHERE owner_id = $1),
       'endpoints', (SELECT json_agg(json_build_array(id, url, secret) ORDER BY id) FROM webhook_endpoint WHERE owner_id = $1),
       'sessions', (SELECT count(*) FROM session WHERE user_id = $1)) AS state`,
    [userId],
  );
  return JSON.stringify(rows[0]?.state);
}

it('lets every procedure of the router, aimed at another user’s ids, neither show nor change their rows', async () => {
  const { baseUrl, db } = harness;
  const victim = await userWithToken(db);
  const attacker = await userWithToken(db);
  const marker = `victim${victim.userId.replaceAll('-', '')}`;
  const victimIds = await seedCallerRows(baseUrl, victim.token, marker);
  await seedCallerRows(baseUrl, attacker.token);
  const before = await rowsOf(victim.userId);

  const procedures = everyProcedure();
  const shown: { what: string; body: string }[] = [];
  let calls = 0;
  for (const [index, procedure] of procedures.entries()) {
    for (const input of fc.sample(wellFormedInputs(procedure, victimIds), { numRuns: 30, seed: 300 + index })) {
      const answer = await call(baseUrl, procedure.path, procedure.type, { token: attacker.token, input });
      calls++;
      const body = JSON.stringify(answer.body);
      if (body.includes(marker)) shown.push({ what: procedure.path, body: body.slice(0, 300) });
    }
  }
  console.log(`[isolation] ${calls} generated calls to ${procedures.length} procedures aimed at another user's ids: ${shown.length} showed their data`);
  expect(shown).toEqual([]);
  expect(await rowsOf(victim.userId)).toBe(before);
}, 300_000);
