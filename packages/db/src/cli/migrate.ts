/** `pnpm db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import { bootDatabase } from '../boot.ts';

const booted = await bootDatabase({ databaseUrl: process.env.DATABASE_URL, embedded: 'attach-or-start' });
console.log(`Migrations are up to date on ${booted.description}.`);
await booted.shutdown();
