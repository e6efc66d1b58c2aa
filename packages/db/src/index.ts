export * from './boot.ts';
export * from './database.ts';
export * from './environment.ts';
export { applyMigrations, MigrationError, readMigrations } from './migrations/runner.ts';
export { defaultDataDir } from './paths.ts';
export { ensureDatabase, startEmbeddedPostgres, type RunningEmbeddedPostgres } from './embedded/start.ts';
export { EmbeddedSetupError, exitOnSetupError } from './embedded/setup-error.ts';
export { Prisma } from './generated/prisma/client.ts';
export type { JobStatus, UserRole, AttemptOutcome } from './generated/prisma/enums.ts';
