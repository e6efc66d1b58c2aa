import { EventEmitter, once } from 'node:events';
import {
  Logger,
  makeWorkerUtils,
  run,
  runMigrations,
  type LogFunctionFactory,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import pg from 'pg';
import { z } from 'zod';
import { wallClock, type Producer, type ProbeReport, type System, type WorkerSpec } from './types.ts';

const probePayload = z.object({ key: z.number() });

// Errors and warnings only: "job completed" lines per job would cost more than the job.
const quiet: LogFunctionFactory = (scope) => (level, message) => {
  if (level === 'error' || level === 'warning') console.error(`[graphile-worker ${scope.label ?? ''}] ${message}`);
};

async function install(url: string): Promise<void> {
  await runMigrations({ connectionString: url, logger: new Logger(quiet) });
}

async function producer(url: string, poolSize: number): Promise<Producer> {
  const utils = await makeWorkerUtils({ connectionString: url, maxPoolSize: poolSize, logger: new Logger(quiet) });
  // Its own connection for the counts: WorkerUtils exposes no query helper for plain SQL we own.
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    async addOne(kind, key) {
      await utils.addJob(kind, kind === 'noop' ? { n: key } : { key }, { maxAttempts: 1 });
    },
    async addMany(count) {
      // addJobs: one call, one statement (graphile_worker.add_jobs), like our enqueueJobs.
      await utils.addJobs(Array.from({ length: count }, (_, n) => ({ identifier: 'noop', payload: { n }, maxAttempts: 1 })));
    },
    async unfinished() {
      // A completed job is deleted; what is left is queued, running or failed.
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM graphile_worker._private_jobs');
      return Number(rows[0]?.n);
    },
    completed: () => Promise.resolve(null),
    async close() {
      await utils.release();
      await pool.end();
    },
  };
}

function taskList(report: ProbeReport): TaskList {
  return {
    noop: () => Promise.resolve(),
    probe: (payload) => {
      report(probePayload.parse(payload).key, wallClock());
      return Promise.resolve();
    },
  };
}

async function startWorker(spec: WorkerSpec, report: ProbeReport, batched: boolean) {
  const events: WorkerEvents = new EventEmitter();
  const listening = once(events, 'pool:listen:success');
  const runner = await run({
    noHandleSignals: true,
    taskList: taskList(report),
    events,
    preset: {
      worker: {
        connectionString: spec.url,
        concurrentJobs: spec.concurrency,
        maxPoolSize: spec.poolSize,
        logger: new Logger(quiet),
        // The batching of worker.graphile.org/docs/performance (localQueue 500, batch delay 0).
        ...(batched
          ? { localQueue: { size: spec.graphileLocalQueue }, completeJobBatchDelay: 0, failJobBatchDelay: 0 }
          : {}),
      },
    },
  });
  await listening;
  return {
    async stop() {
      await runner.stop();
    },
  };
}

const common = { family: 'graphile', install, producer } as const;

export const graphile: System = {
  ...common,
  id: 'graphile',
  label: 'graphile-worker (defaults)',
  describe: ({ concurrency, poolSize }) =>
    `run(), concurrentJobs ${concurrency}, maxPoolSize ${poolSize}; defaults otherwise: one fetch and one completion per job, 2 s poll + LISTEN`,
  startWorker: (spec, report) => startWorker(spec, report, false),
};

export const graphileBatched: System = {
  ...common,
  id: 'graphile-batched',
  label: 'graphile-worker (batched)',
  describe: ({ graphileLocalQueue }) =>
    `as defaults + localQueue.size ${graphileLocalQueue}, completeJobBatchDelay 0, failJobBatchDelay 0 (its perf page's settings)`,
  startWorker: (spec, report) => startWorker(spec, report, true),
};
