import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { z } from 'zod';
import { wallClock, type Producer, type System } from './types.ts';

/** One queue for both kinds, as graphile-worker and ours keep both kinds in one table. */
const queue = 'bench';
const jobData = z.object({ kind: z.enum(['noop', 'probe']), key: z.number() });

function onError(error: unknown): void {
  console.error(`[pg-boss] ${error instanceof Error ? error.message : String(error)}`);
}

export const pgboss: System = {
  id: 'pgboss',
  family: 'pgboss',
  label: 'pg-boss (batched, notify)',
  describe: ({ concurrency, poolSize, pgBossBatchSize }) =>
    `work(), localConcurrency ${concurrency}, batchSize ${pgBossBatchSize} (one fetch and one completion per batch; ` +
    `${concurrency * pgBossBatchSize} jobs held at most), burstWhenBatchFull, useListenNotify + queue notify, ` +
    `pollingIntervalSeconds 0.5, max ${poolSize}`,

  async install(url) {
    const boss = new PgBoss({ connectionString: url, max: 2, schedule: false, supervise: false });
    boss.on('error', onError);
    await boss.start();
    await boss.createQueue(queue, { notify: true });
    await boss.stop({ graceful: false, close: true });
  },

  async producer(url, poolSize): Promise<Producer> {
    const boss = new PgBoss({ connectionString: url, max: poolSize, schedule: false, supervise: false, migrate: false });
    boss.on('error', onError);
    await boss.start();
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    const count = async (states: string[]): Promise<number> => {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM pgboss.job WHERE name = $1 AND state::text = ANY($2)',
        [queue, states],
      );
      return Number(rows[0]?.n);
    };
    return {
      async addOne(kind, key) {
        await boss.send(queue, { kind, key }, { retryLimit: 0 });
      },
      async addMany(total) {
        // insert(): one statement for the whole array.
        await boss.insert(queue, Array.from({ length: total }, (_, key) => ({ data: { kind: 'noop', key }, retryLimit: 0 })));
      },
      unfinished: () => count(['created', 'retry', 'active']),
      completed: () => count(['completed']),
      async close() {
        await boss.stop({ graceful: false, close: true });
        await pool.end();
      },
    };
  },

  async startWorker(spec, report) {
    const boss = new PgBoss({
      connectionString: spec.url,
      max: spec.poolSize,
      useListenNotify: true,
      schedule: false,
      migrate: false,
    });
    boss.on('error', onError);
    await boss.start();
    await boss.work<unknown>(
      queue,
      {
        batchSize: spec.pgBossBatchSize,
        localConcurrency: spec.concurrency,
        pollingIntervalSeconds: 0.5,
        burstWhenBatchFull: true,
      },
      (jobs) => {
        for (const job of jobs) {
          const data = jobData.parse(job.data);
          if (data.kind === 'probe') report(data.key, wallClock());
        }
        return Promise.resolve();
      },
    );
    return {
      async stop() {
        await boss.stop({ graceful: true, close: true });
      },
    };
  },
};
