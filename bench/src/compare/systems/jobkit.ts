import { applyMigrations, enqueueJobs, openDatabase, type NewJob } from '@jobkit/db';
import { createWorker } from '@jobkit/worker';
import { BroadcastChannel } from 'node:worker_threads';
import { noop, probe, probeChannelName, probeMessage } from './jobkit-handlers.ts';
import type { Producer, System } from './types.ts';

/** Owns every benchmark job (jobs need an owner); created in the template, so every copy has it. */
export const benchOwnerId = '018f0000-0000-7000-8000-00000000b0b0';
const handlersModule = new URL('./jobkit-handlers.ts', import.meta.url);

function newJob(kind: 'noop' | 'probe', key: number): NewJob {
  const contract = kind === 'noop' ? noop : probe;
  return {
    kind: contract.kind,
    payloadVersion: contract.version,
    input: kind === 'noop' ? { n: key } : { key },
    ownerId: benchOwnerId,
    maxAttempts: contract.maxAttempts,
  };
}

export const jobkit: System = {
  id: 'jobkit',
  family: 'jobkit',
  label: 'Jobkit (ours)',
  describe: ({ concurrency, poolSize }) =>
    `createWorker, concurrency ${concurrency} (= ${concurrency} piscina threads, one job each), pool ${poolSize} + 1 LISTEN; ` +
    'claims up to the free slots per query, one completion statement per job, NOTIFY wake-up, 1 s poll backstop',

  async install(url) {
    await applyMigrations(url);
    const db = openDatabase(url, { maxConnections: 1 });
    await db.pool.query(`INSERT INTO "user" (id, email, name) VALUES ($1, 'owner@bench.invalid', 'Bench owner')`, [benchOwnerId]);
    await db.close();
  },

  producer(url, poolSize): Promise<Producer> {
    const db = openDatabase(url, { maxConnections: poolSize });
    const count = async (sql: string): Promise<number> => {
      const { rows } = await db.pool.query<{ n: string }>(sql);
      return Number(rows[0]?.n);
    };
    return Promise.resolve({
      // enqueueJobs is what every start mutation calls: the same statement, one job.
      async addOne(kind, key) {
        await enqueueJobs(db.pool, [newJob(kind, key)]);
      },
      async addMany(total) {
        await enqueueJobs(db.pool, Array.from({ length: total }, (_, n) => newJob('noop', n)));
      },
      unfinished: () => count(`SELECT count(*) AS n FROM job WHERE kind IN ('noop', 'probe') AND status IN ('queued', 'running')`),
      completed: () => count(`SELECT count(*) AS n FROM job WHERE kind IN ('noop', 'probe') AND status = 'completed'`),
      close: () => db.close(),
    });
  },

  async startWorker(spec, report) {
    const database = openDatabase(spec.url, { maxConnections: spec.poolSize });
    const channel = new BroadcastChannel(probeChannelName);
    channel.onmessage = (event: unknown) => {
      const parsed = probeMessage.safeParse(event instanceof MessageEvent ? event.data : undefined);
      if (parsed.success) report(parsed.data.key, parsed.data.startedAt);
    };
    const worker = createWorker({
      database,
      handlersModule,
      concurrency: spec.concurrency,
      log: (message) => {
        console.error(message);
      },
    });
    await worker.start();
    return {
      async stop() {
        await worker.stop();
        channel.close();
        await database.close();
      },
    };
  },
};
