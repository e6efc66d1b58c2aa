import { z } from 'zod';
import type { ConnectionOptions } from './database.ts';

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

/** How the apps connect, besides DATABASE_URL; README.md ("Poolers") lists them. */
export const databaseEnvironmentShape = {
  /**
   * Named prepared statements for the hot statements. Unset: on for the embedded database, off for
   * DATABASE_URL, which works everywhere; on needs a direct connection, session pooling, or
   * PgBouncer 1.21+ with max_prepared_statements.
   */
  DATABASE_PREPARED_STATEMENTS: flag.optional(),
  /** A direct or session-mode URL for the worker's LISTEN, when DATABASE_URL is a transaction-mode pooler. */
  DATABASE_LISTEN_URL: z.url({ protocol: /^postgres(ql)?$/, message: 'DATABASE_LISTEN_URL must be a postgresql:// URL' }).optional(),
  /** A statement unanswered this long fails and its connection is replaced (a link that died silently). */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).optional(),
  /**
   * The most connections of the process's main pool (the server's default 20, a worker's 5): what
   * to size max_connections or a pooler's pool by (README, "Running it in production").
   */
  DATABASE_POOL_SIZE: z.coerce
    .number({ message: 'DATABASE_POOL_SIZE must be a whole number of connections' })
    .int('DATABASE_POOL_SIZE must be a whole number of connections')
    .min(2, 'DATABASE_POOL_SIZE must be at least 2 (a claim and an end may be written at once)')
    .max(1000, 'DATABASE_POOL_SIZE must be at most 1000')
    .optional(),
};

export type DatabaseEnvironment = z.infer<z.ZodObject<typeof databaseEnvironmentShape>>;

export function connectionOptionsFrom(environment: DatabaseEnvironment): ConnectionOptions {
  return {
    preparedStatements: environment.DATABASE_PREPARED_STATEMENTS,
    listenUrl: environment.DATABASE_LISTEN_URL,
    queryTimeoutMs: environment.DATABASE_QUERY_TIMEOUT_MS,
  };
}
