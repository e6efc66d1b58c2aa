import { defineConfig } from 'vitest/config';

/**
 * Shared test settings. Tests talk to a real PostgreSQL, so they get database-sized timeouts, and
 * files run in separate processes (each file makes its own database from a migrated template).
 */
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
  },
});
