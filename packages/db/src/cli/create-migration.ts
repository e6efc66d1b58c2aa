/**
 * `pnpm db:migration:create <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql with
 * the SQL that brings the migrations up to prisma/schema.prisma, computed by Prisma's own schema
 * engine (WebAssembly), the offline equivalent of `prisma migrate dev --create-only`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../embedded/start.ts';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { diffSchemas } from '../migrations/schema-diff.mjs';
import { defaultMigrationsDir, schemaPath } from '../paths.ts';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('Usage: pnpm db:migration:create <name>   (lowercase letters, digits and _)');
  process.exit(2);
}

// A throw-away server: the engine replays the existing migrations on a scratch database there.
const server = await startEmbeddedPostgres({ dataDir: await mkdtemp(join(tmpdir(), 'jobkit-migration-')) });
try {
  const sql = await diffSchemas({
    connectionString: server.urlFor('postgres'),
    from: { migrationsDir: defaultMigrationsDir },
    to: { schemaFile: schemaPath },
  });
  if (sql === '') {
    console.log('prisma/schema.prisma and the migrations already agree: nothing to write.');
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const dir = join(defaultMigrationsDir, `${stamp}_${name}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'migration.sql'), sql);
    console.log(`Wrote ${join(dir, 'migration.sql')}:\n\n${sql}`);
  }
} finally {
  await server.stop();
}
