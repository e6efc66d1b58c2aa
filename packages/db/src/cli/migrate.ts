/**
 * `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in
 * JOBKIT_DATA_DIR (default `.data/`), the running one or one it starts for the purpose.
 */
import { bootDatabase } from '../boot.ts';
import { exitOnSetupError } from '../embedded/setup-error.ts';

const booted = await bootDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.JOBKIT_DATA_DIR,
  embedded: 'attach-or-start',
  migrations: 'apply',
}).catch(exitOnSetupError);
console.log(`Migrations are up to date on ${booted.description}.`);
await booted.shutdown();
