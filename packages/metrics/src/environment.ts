import { z } from 'zod';

/** The metrics settings both apps read from the environment; README.md lists them. */
export const metricsEnvironmentShape = {
  /**
   * When set, /metrics answers only requests that carry `Authorization: Bearer <METRICS_TOKEN>`
   * (401 otherwise). Long enough not to be guessed.
   */
  METRICS_TOKEN: z
    .string()
    .min(16, { message: 'METRICS_TOKEN must be at least 16 characters: it is the only thing between /metrics and anyone who can reach it.' })
    .optional(),
  /** Where a separate metrics port listens (METRICS_PORT, WORKER_METRICS_PORT). */
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** How often the queue depth gauge counts the queued and running jobs, at most (one grouped count). */
  METRICS_QUEUE_DEPTH_REFRESH_MS: z.coerce.number().int().min(0).default(15_000),
};
