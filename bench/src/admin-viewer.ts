/**
 * `pnpm --filter @jobkit/bench bench:admin`: the admin viewer's queries on a big table, and what
 * one `getJob` poll costs. Fills a fresh database with BENCH_ROWS jobs (default 1,000,000) spread
 * over the last 24 hours (10 owners, 90 % completed, 5 % failed, 3 % cancelled, 2 % queued or
 * running), then prints the median of 5 timed runs of each query.
 */
import { createApiToken, createCaller, createInnerContext, resolveActor } from '@jobkit/api';
import { applyMigrations, openDatabase, type Database } from '@jobkit/db';
import { benchDatabase } from './database.ts';
import { median, timeRuns } from './timing.ts';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);

async function fill(db: Database): Promise<void> {
  // One connection throughout: the helper function lives in this session's temporary schema.
  const client = await db.pool.connect();
  await client.query(`
    CREATE FUNCTION pg_temp.uuidv7_at(at timestamptz) RETURNS uuid LANGUAGE sql AS $$
      SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
    $$`);
  await client.query(`
    INSERT INTO "user" (id, email, name, role)
      SELECT gen_random_uuid(), 'owner' || n || '@bench.invalid', 'Owner ' || n, CASE WHEN n = 0 THEN 'admin' ELSE 'user' END::"UserRole"
      FROM generate_series(0, 9) AS n`);
  // One statement per parameterised query (the extended protocol allows no more).
  await client.query(
    `INSERT INTO job (id, kind, payload_version, status, input, result, owner_id, max_attempts, attempt, created_at, finished_at)
      SELECT pg_temp.uuidv7_at(at), CASE WHEN n % 20 = 0 THEN 'webhookDelivery' ELSE 'documentAnalysis' END, 1,
        (CASE WHEN n % 100 < 90 THEN 'completed' WHEN n % 100 < 95 THEN 'failed' WHEN n % 100 < 98 THEN 'cancelled'
              WHEN n % 100 < 99 THEN 'queued' ELSE 'running' END)::"JobStatus",
        '{"text":"benchmark"}', NULL, (ARRAY(SELECT id FROM "user" ORDER BY email))[1 + n % 10], 3, 1, at, at
      FROM (SELECT n, now() - (n::float / $1) * interval '24 hours' AS at FROM generate_series(1, $1) AS n) AS spread`,
    [rows],
  );
  client.release();
  await db.pool.query('VACUUM ANALYZE job');
}

async function statementsPerPoll(db: Database, polls: number): Promise<number> {
  // A job still queued: its result is empty, as it is while a browser polls it.
  const job = await db.prisma.job.findFirstOrThrow({ where: { status: 'queued' }, select: { id: true, ownerId: true } });
  const { token } = await createApiToken(db, job.ownerId, 'bench');
  // As the HTTP layer does per request: resolve the caller from the token, then run the procedure.
  const poll = async () => {
    const actor = await resolveActor(db, { authorization: `Bearer ${token}` });
    await createCaller(createInnerContext({ db, actor })).jobs.getJob({ jobId: job.id });
  };
  await poll();
  const commits = async () => {
    await db.pool.query('SELECT pg_stat_force_next_flush()');
    const { rows: stats } = await db.pool.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(stats[0]?.n);
  };
  const before = await commits();
  for (let n = 0; n < polls; n++) await poll();
  const after = await commits();
  // Each statement outside a transaction commits once; the two measuring statements count too.
  return (after - before - 2) / polls;
}

const target = await benchDatabase();
try {
  await applyMigrations(target.url);
  const db = openDatabase(target.url, { maxConnections: 10 });
  const started = performance.now();
  await fill(db);
  console.log(`\nFilled ${rows.toLocaleString()} jobs in ${((performance.now() - started) / 1000).toFixed(1)} s (${target.description})\n`);
  const admin = await db.prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
  const owner = await db.prisma.user.findFirstOrThrow({ where: { role: 'user' }, orderBy: { email: 'asc' } });
  const caller = () => createCaller(createInnerContext({ db, actor: { userId: admin.id, role: 'admin' } }));
  const hour = 3_600_000;
  const deepCursor = (await caller().admin.listJobs({ limit: 100 })).items.at(-1)?.id;

  const cases: [string, () => Promise<unknown>][] = [
    ['list, newest 50', () => caller().admin.listJobs({})],
    ['list, status = failed', () => caller().admin.listJobs({ status: 'failed' })],
    ['list, status = running', () => caller().admin.listJobs({ status: 'running' })],
    ['list, kind = webhookDelivery', () => caller().admin.listJobs({ kind: 'webhookDelivery' })],
    ['list, one owner', () => caller().admin.listJobs({ ownerEmail: owner.email })],
    ['list, created 12 h to 11 h ago', () => caller().admin.listJobs({ createdFrom: new Date(Date.now() - 12 * hour).toISOString(), createdTo: new Date(Date.now() - 11 * hour).toISOString() })],
    ['list, next page (keyset cursor)', () => caller().admin.listJobs({ cursor: deepCursor })],
    // A copy of the Database object defeats the per-process 5 s cache: this is the cost of a recount.
    ['counts by status + per minute (uncached)', () => createCaller(createInnerContext({ db: { ...db }, actor: { userId: admin.id, role: 'admin' } })).admin.stats()],
    ['counts by status + per minute (cached)', () => caller().admin.stats()],
  ];
  console.log('| admin viewer query | median ms | min | max |');
  console.log('|---|---|---|---|');
  for (const [name, run] of cases) {
    const times = await timeRuns(run, 5);
    console.log(`| ${name} | ${median(times).toFixed(1)} | ${Math.min(...times).toFixed(1)} | ${Math.max(...times).toFixed(1)} |`);
  }
  console.log(`\nStatements per getJob poll (API token + getJob), over 100 polls: ${(await statementsPerPoll(db, 100)).toFixed(2)}`);
  await db.close();
} finally {
  await target.dispose();
}
