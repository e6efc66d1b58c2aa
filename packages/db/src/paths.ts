import { fileURLToPath } from 'node:url';

// The same from src/paths.ts and the built dist/paths.js: both sit two folders below the repository.
const repositoryRoot = new URL('../../../', import.meta.url);

/** `prisma/migrations` at the repository root, in Prisma's own layout. */
export const defaultMigrationsDir = fileURLToPath(new URL('prisma/migrations/', repositoryRoot));
export const schemaPath = fileURLToPath(new URL('prisma/schema.prisma', repositoryRoot));
/** Git-ignored; holds the embedded PostgreSQL cluster when no DATABASE_URL is given. */
export const defaultDataDir = fileURLToPath(new URL('.data/', repositoryRoot));
/**
 * Root-owned and world-traversable: as root, PostgreSQL runs as the `postgres` user, and what that
 * user cannot reach where it is (the binaries in node_modules, a cluster in a private folder) goes here.
 */
export const sharedRootDir = '/var/lib/jobkit';
