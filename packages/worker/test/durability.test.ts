/**
 * Fault scenarios against a separate PostgreSQL 15 (Debian's package): the server restarted while
 * jobs end, a worker's connections killed over and over, every connection slot taken. The worker
 * is a process of its own, connected as a role of its own (its connections can be told apart);
 * its jobs allow one attempt, so an end that was dropped shows as a failed job. Each scenario
 * prints a `[fault]` line of figures; none asserts a duration.
 */
import { applyMigrations, openDatabase, type Database } from '@jobkit/db';
import { createTestUser, startTypeScriptProcess, type TestProcess } from '@jobkit/db/testing';
import { startDebianPostgres, type DebianPostgres } from '@jobkit/db/testing/debian-postgres';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { endsAt, pause } from './fixtures/durability-handlers.ts';
import { enqueue, waitFor } from '../src/testing.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const leaseMs = 8_000;
const workerRole = 'jobkit_durability_worker';
/** Holds connections in the exhaustion scenario. */
const hogRole = 'jobkit_durability_hog';
let server: DebianPostgres;
let db: Database;
let ownerId: string;
let worker: TestProcess;

beforeAll(async () => {
  server = await startDebianPostgres();
  await applyMigrations(server.urlFor('postgres'));
  db = openDatabase(server.urlFor('postgres'), { maxConnections: 4 });
  ownerId = await createTestUser(db);
  // Not a superuser: the slots PostgreSQL reserves for superusers must not save it from exhaustion.
  await db.pool.query(`CREATE ROLE ${workerRole} LOGIN`);
  await db.pool.query(`CREATE ROLE ${hogRole} LOGIN`);
  await db.pool.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${workerRole}`);
  await db.pool.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${workerRole}`);
  const url = new URL(server.urlFor('postgres'));
  url.username = workerRole;
  worker = startTypeScriptProcess('test/fixtures/worker-process.ts', {
    cwd: packageDir,
    env: { DATABASE_URL: url.toString(), HANDLERS: 'durability-handlers.ts', CONCURRENCY: '100', LEASE_MS: String(leaseMs), RESCUE_INTERVAL_MS: '250' },
  });
  await worker.waitFor(/^ready /m);
}, 180_000);
afterAll(async () => {
  await worker.kill();
  await db.close();
  await server.stop();
});

/** Queries that may meet the database mid-restart: try again until it answers. */
async function patiently<T>(query: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await query();
    } catch {
      await sleep(100);
    }
  }
}

async function untilEnded(ids: readonly string[]): Promise<void> {
  try {
    await waitFor(async () => {
      const open = await patiently(() => db.prisma.job.count({ where: { id: { in: [...ids] }, status: { in: ['queued', 'running'] } } }));
      return open === 0 ? true : undefined;
    }, 120_000);
  } catch (error) {
    // What the worker was saying is what tells why it did not recover.
    throw new Error(`${String(error)}; the worker's last lines:\n${worker.output().split('\n').slice(-40).join('\n')}`, { cause: error });
  }
}

/** What became of the jobs: lost (not completed), duplicated (more than one completed attempt), attempts used. */
async function tally(ids: readonly string[]) {
  const jobs = await db.prisma.job.findMany({ where: { id: { in: [...ids] } }, include: { attempts: true } });
  const lost = jobs.filter((job) => job.status !== 'completed');
  const duplicated = jobs.filter((job) => job.attempts.filter((attempt) => attempt.outcome === 'completed').length > 1);
  const extraAttempts = jobs.reduce((sum, job) => sum + job.attempts.filter((attempt) => attempt.outcome !== 'completed').length, 0);
  const lastEnd = Math.max(...jobs.map((job) => job.finishedAt?.getTime() ?? 0));
  return { lost, duplicated, extraAttempts, lastEnd, statuses: jobs.map((job) => job.status) };
}

/** The worker's log lines about ends that met the fault, so far (before the fix: dropped; after: retried). */
function endsThatMetTheFault(): number {
  return (worker.output().match(/(could not record the end of job|was not written, trying again)/g) ?? []).length;
}

for (const mode of ['fast', 'immediate'] as const) {
  it(`PostgreSQL restarted (-m ${mode}) while 100 jobs end: no result lost, no attempt used up`, async () => {
    const before = endsThatMetTheFault();
    // The ends are spread over the restart: some before it, most during, some after.
    const restartAt = Date.now() + 6_000;
    const ids = await enqueue(db, endsAt, ownerId, Array.from({ length: 100 }, (_, n) => ({ at: restartAt + n * 4 })));
    await waitFor(async () => ((await db.prisma.job.count({ where: { id: { in: ids }, status: 'running' } })) === 100 ? true : undefined), 60_000);
    await sleep(restartAt - Date.now());
    await server.restart(mode);
    const backAt = Date.now();
    await untilEnded(ids);
    const { lost, duplicated, extraAttempts, lastEnd } = await tally(ids);
    const metTheFault = endsThatMetTheFault() - before;
    console.log(
      `[fault] PostgreSQL restart -m ${mode} (${backAt - restartAt} ms) while 100 jobs end: ${metTheFault} ends met it; ` +
        `lost ${lost.length}, duplicated ${duplicated.length}, attempts used up ${extraAttempts}; last end recorded ${lastEnd - backAt} ms after the server was back`,
    );
    expect(metTheFault).toBeGreaterThan(0);
    expect(lost.map((job) => job.status)).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(extraAttempts).toBe(0);
  }, 180_000);
}

it('every connection of the worker killed 10 times a second for 10 s: it recovers by itself, every job ends exactly once', async () => {
  const ids: string[] = [];
  let killed = 0;
  const stormEndsAt = Date.now() + 10_000;
  for (let tick = 0; Date.now() < stormEndsAt; tick++) {
    // New work arrives throughout the storm (from another role: its connections are spared).
    if (tick % 5 === 0) ids.push(...(await enqueue(db, pause, ownerId, Array.from({ length: 20 }, () => ({ ms: 150 })))));
    const { rows } = await db.pool.query<{ killed: boolean }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE usename = $1',
      [workerRole],
    );
    killed += rows.filter((row) => row.killed).length;
    await sleep(100);
  }
  const calmAt = Date.now();
  await untilEnded(ids);
  const { lost, duplicated, extraAttempts, lastEnd } = await tally(ids);
  console.log(
    `[fault] pg_terminate_backend on all of a worker's connections every 100 ms for 10 s: ${ids.length} jobs, ${killed} connections killed; ` +
      `lost ${lost.length}, duplicated ${duplicated.length}, attempts lost to killed claims ${extraAttempts}; all ended ${Math.max(0, lastEnd - calmAt)} ms after the storm`,
  );
  expect(killed).toBeGreaterThan(0);
  expect(lost.map((job) => job.status)).toEqual([]);
  expect(duplicated).toEqual([]);
}, 180_000);

it('every free connection slot held: a new connection gets a clear refusal, and the worker recovers when they go', async () => {
  const before = endsThatMetTheFault();
  // Time enough to take every slot first; the worker is cut off 1 s before the jobs end, for 4 s.
  const endAt = Date.now() + 15_000;
  const ids = await enqueue(db, endsAt, ownerId, Array.from({ length: 20 }, () => ({ at: endAt })));
  await waitFor(async () => ((await db.prisma.job.count({ where: { id: { in: ids }, status: 'running' } })) === 20 ? true : undefined), 60_000);
  const url = new URL(server.urlFor('postgres'));
  url.username = hogRole;
  const hog = openDatabase(url.toString(), { maxConnections: 1_000 });
  const held: { release(): void }[] = [];
  let refusal = '';
  const takeEveryFreeSlot = async (): Promise<void> => {
    for (;;) {
      try {
        held.push(await hog.pool.connect());
      } catch (error) {
        refusal = String(error);
        return;
      }
    }
  };
  try {
    await takeEveryFreeSlot();
    await sleep(endAt - 1_000 - Date.now());
    // The worker must open new connections now, and there are none: the slots its own connections
    // held are taken as they come free (a few rounds: it reconnects as fast as it can).
    for (let round = 0; round < 3; round++) {
      await db.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [workerRole]);
      await takeEveryFreeSlot();
    }
    await sleep(endAt + 3_000 - Date.now());
  } finally {
    for (const client of held) client.release();
    await hog.close();
  }
  const freedAt = Date.now();
  await untilEnded(ids);
  const { lost, duplicated, extraAttempts, lastEnd } = await tally(ids);
  const metTheFault = endsThatMetTheFault() - before;
  console.log(
    `[fault] ${held.length} connections held (every free slot), the worker's own cut 1 s before 20 jobs end and kept out for 4 s: ` +
      `a new connection answered "${refusal}"; ${metTheFault} ends met it; lost ${lost.length}, duplicated ${duplicated.length}, ` +
      `attempts used up ${extraAttempts}; all ended ${Math.max(0, lastEnd - freedAt)} ms after the slots came free`,
  );
  expect(metTheFault).toBeGreaterThan(0);
  expect(refusal).toMatch(/connection slots are reserved|too many clients/);
  expect(lost.map((job) => job.status)).toEqual([]);
  expect(duplicated).toEqual([]);
  expect(extraAttempts).toBe(0);
}, 180_000);
