import { pino, type BaseLogger, type Bindings } from 'pino';

/**
 * What the engine logs through: a pino logger, or anything shaped like one (Fastify's `app.log` is).
 * Lines about a job carry `jobId`, `kind`, `attempt` and `workerId` as fields, and their levels
 * mean something: a retried failure is `warn`; a job out of attempts, a lost lease or an end that
 * could not be recorded is `error`; a normal start and completion is `debug`.
 */
export interface WorkerLogger extends Pick<BaseLogger, 'error' | 'warn' | 'info' | 'debug'> {
  child(bindings: Bindings): WorkerLogger;
}

/** JSON lines on standard error at `info`, where the engine's messages went before it had a logger. */
export function defaultWorkerLogger(): WorkerLogger {
  return pino({ name: 'jobkit-worker' }, pino.destination(2));
}

/** The logger for lines about one attempt of a job: each carries its id, kind and attempt (and the worker's id). */
export function jobLogger(logger: WorkerLogger, job: { id: string; kind: string; attempt: number }): WorkerLogger {
  return logger.child({ jobId: job.id, kind: job.kind, attempt: job.attempt });
}
