import { databaseEnvironmentShape } from '@jobkit/db';
import { metricsEnvironmentShape } from '@jobkit/metrics';
import { emailEnvironmentShape, requireCompleteEmailSettings } from '@jobkit/email';
import { webhookEnvironmentShape } from '@jobkit/webhooks';
import { workerEnvironmentShape } from '@jobkit/worker';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** Every setting the server reads, from the environment; README.md lists them. */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.url({ message: 'DATABASE_URL must be a postgresql:// URL' }).optional(),
  ...databaseEnvironmentShape,
  JOBKIT_DATA_DIR: z.string().optional(),
  /** Run a worker inside the server process (the one-command default). */
  RUN_WORKER: flag.default(true),
  ...workerEnvironmentShape,
  ...webhookEnvironmentShape,
  /** E-mail on finish: SMTP_URL, SMTP_FROM and PUBLIC_URL, all three or none (checked below). */
  ...emailEnvironmentShape,
  /** Set when users reach the server over HTTPS (directly or through a proxy). */
  SECURE_COOKIES: flag.default(false),
  /**
   * Behind a reverse proxy: whose X-Forwarded-For to believe for the client's address (sign-in
   * throttling counts per address). `false` (the connection's peer), `true` (any), a hop count, or
   * the proxies' addresses or CIDRs, comma-separated.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((value): boolean | string[] | ((address: string, hop: number) => boolean) => {
      if (value === 'true' || value === 'false') return value === 'true';
      // A hop count, as Fastify reads a number: the nearest `hops` proxies are believed.
      if (/^\d+$/.test(value)) return (_address, hop) => hop < Number(value);
      return value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    }),
  /** 0 turns the limit off (a service whose callers are all trusted programs). */
  MAX_ACTIVE_JOBS_PER_USER: z.coerce.number().int().min(0).default(100),
  MAX_STARTS_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** Live streams one user may hold open on this process (each ~100 KB); 0 turns the limit off. */
  MAX_STREAMS_PER_USER: z.coerce.number().int().min(0).default(100),
  /** The largest upload, in MiB. Files are stored in PostgreSQL, so this bounds its growth too. */
  MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(4096).default(256),
  /** All of one user's files (uploads and their jobs' reports), in MiB; 0 for no quota. */
  MAX_STORAGE_MB_PER_USER: z.coerce.number().int().min(0).default(2048),
  /** Uploads one user may send at once (each holds up to 1 MiB in memory while it arrives); 0 for no limit. */
  MAX_UPLOADS_PER_USER: z.coerce.number().int().min(0).default(4),
  /** An upload that sends nothing for this long is cut off with a 408; 0 for no limit. */
  UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),
  /** An upload slower than this on average (after its first 10 s) is cut off with a 408; 0 for no minimum. */
  UPLOAD_MIN_KB_PER_S: z.coerce.number().min(0).default(8),
  /** Database connections for uploads, apart from the API's. */
  UPLOAD_DB_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(4),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug']).default('info'),
  ...metricsEnvironmentShape,
  /** Serve /metrics on this port (on METRICS_HOST) instead of the API's; unset: /metrics is on the API's port. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  WEB_DIST: z.string().default(fileURLToPath(new URL('../../web/dist/', import.meta.url))),
}).superRefine(requireCompleteEmailSettings);

export type ServerConfig = z.infer<typeof environmentSchema>;

export function readConfig(environment: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    throw new Error(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
