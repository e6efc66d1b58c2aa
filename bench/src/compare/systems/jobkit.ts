import { applyMigrations, openDatabase } from '@jobkit/db';
import { enqueueJobs, type NewJob } from '@jobkit/queue';
import type { JobContract } from '@jobkit/jobs';
import { createWorker } from '@jobkit/worker';
import { BroadcastChannel } from 'node:worker_threads';
import { noop, noopInline, probe, probeChannelName, probeInline, probeMessage } from './jobkit-handlers.ts';
import type { Producer, System } from './types.ts';

/** Owns every benchmark job (jobs need an owner); created in the template, so every copy has it. */
export const benchOwnerId = '018f0000-0000-7000-8000-00000000b0b0';

interface Variant {
  id: 'jobkit' | 'jobkit-threads';
  label: string;
  handlersModule: URL;
  kinds: { noop: JobContract; probe: JobContract };
  handlers: string;
}

function jobkitVariant(variant: Variant): System {
  const { kinds } = variant;
  const kindList = `'${kinds.noop.kind}', '${kinds.probe.kind}'`;
  const newJob = (kind: 'noop' | 'probe', key: number): NewJob => ({
    kind: kinds[kind].kind,
    payloadVersion: kinds[kind].version,
    input: kind === 'noop' ? { n: key } : { key },
    ownerId: benchOwnerId,
    maxAttempts: kinds[kind].maxAttempts,
  });
  return {
    id: variant.id,
    family: 'jobkit',
    label: variant.label,
    describe: ({ concurrency, poolSize, jobkitPrefetch }) =>
      `createWorker, concurrency ${concurrency} (${variant.handlers}), pool ${poolSize} + 1 LISTEN; claims in batches ` +
      `into a local prefetch queue of at most ${jobkitPrefetch} (graphile-worker's local queue; our default is 100), ` +
      'attempt ends written in batches, NOTIFY wake-up, 1 s poll backstop',

    async install(url) {
      await applyMigrations(url);
      const db = openDatabase(url, { maxConnections: 1 });
      await db.pool.query(`INSERT INTO "user" (id, email, name) VALUES ($1, 'owner@bench.invalid', 'Bench owner')`, [benchOwnerId]);
      await db.close();
    },

    producer(url, poolSize): Promise<Producer> {
      // Named statements, as on the embedded database (the bench connects directly; see README, Poolers).
      const db = openDatabase(url, { maxConnections: poolSize, preparedStatements: true });
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
        unfinished: () => count(`SELECT count(*) AS n FROM job WHERE kind IN (${kindList}) AND status IN ('queued', 'running')`),
        completed: () => count(`SELECT count(*) AS n FROM job WHERE kind IN (${kindList}) AND status = 'completed'`),
        close: () => db.close(),
      });
    },

    async startWorker(spec, report) {
      const database = openDatabase(spec.url, { maxConnections: spec.poolSize, preparedStatements: true });
      const channel = new BroadcastChannel(probeChannelName);
      channel.onmessage = (event: unknown) => {
        const parsed = probeMessage.safeParse(event instanceof MessageEvent ? event.data : undefined);
        if (parsed.success) report(parsed.data.key, parsed.data.startedAt);
      };
      const worker = createWorker({
        database,
        handlersModule: variant.handlersModule,
        concurrency: spec.concurrency,
        prefetch: spec.jobkitPrefetch,
        // The default logger writes to standard error, apart from the numbers on standard output.
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
}

/** Handlers inline, on the worker's main thread: how graphile-worker and pg-boss run theirs. */
export const jobkit = jobkitVariant({
  id: 'jobkit',
  label: 'Jobkit (ours)',
  handlersModule: new URL('./jobkit-inline-handlers.ts', import.meta.url),
  kinds: { noop: noopInline, probe: probeInline },
  handlers: "handlers `isolation: 'inline'`, on the main thread",
});

/** Our default for CPU-heavy analyses: each job in a handler thread, which a timeout can stop. */
export const jobkitThreads = jobkitVariant({
  id: 'jobkit-threads',
  label: 'Jobkit (threads)',
  handlersModule: new URL('./jobkit-handlers.ts', import.meta.url),
  kinds: { noop, probe },
  handlers: 'handlers in piscina threads, one job each',
});
