import { enqueueJobs, type NewJob } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import type { JobContract, JobInput } from '@jobkit/contract';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { z } from 'zod';
import type { WorkerLogger } from './logger.ts';
import { createWorker } from './runner.ts';
import type { WorkerOptions } from './settings.ts';

export async function enqueue<C extends JobContract>(
  database: Database,
  contract: C,
  ownerId: string,
  inputs: readonly JobInput<C>[],
  extra: Partial<NewJob> = {},
): Promise<string[]> {
  const jobs = inputs.map((input) => ({
    kind: contract.kind,
    payloadVersion: contract.version,
    input,
    ownerId,
    maxAttempts: contract.maxAttempts,
    ...extra,
  }));
  return (await enqueueJobs(database.pool, jobs)).map((job) => job.id);
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}

export async function countByStatus(database: Database): Promise<Record<string, number>> {
  const groups = await database.prisma.job.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(groups.map((group) => [group.status, group._count._all]));
}

/** Runs `use` with a worker started, then stops it without grace: each test sees only its own worker. */
export async function withWorker(options: WorkerOptions, use: () => Promise<void>): Promise<void> {
  const worker = createWorker({ logger: silentLogger, ...options });
  await worker.start();
  try {
    await use();
  } finally {
    await worker.stop({ graceMs: 0 });
  }
}

/** The job with its attempts once it has left `queued` and `running`. */
export function endedJob(database: Database, jobId: string | undefined, timeoutMs = 60_000) {
  return waitFor(async () => {
    const row = await database.prisma.job.findUniqueOrThrow({ where: { id: jobId }, include: { attempts: true } });
    return row.status === 'queued' || row.status === 'running' ? undefined : row;
  }, timeoutMs);
}

/** A logger that writes nothing, for tests that do not read the worker's log. */
export const silentLogger: WorkerLogger = pino({ level: 'silent' });

const logLine = z.looseObject({ level: z.string(), msg: z.string() });
export type LogLine = z.infer<typeof logLine>;

/**
 * A real pino logger whose JSON lines are kept, parsed, for tests that read what was logged
 * (levels by name: `warn`, not 40).
 */
export function capturedLog(level = 'debug'): { logger: WorkerLogger; lines: LogLine[]; messages(): string[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level, formatters: { level: (label) => ({ level: label }) } },
    {
      write(line: string) {
        lines.push(logLine.parse(JSON.parse(line)));
      },
    },
  );
  return { logger, lines, messages: () => lines.map((line) => line.msg) };
}
