/**
 * Vitest global setup for every package whose tests need PostgreSQL: one real server per test run
 * (embedded, or TEST_DATABASE_URL's), and one migrated template database that each test file
 * copies in a few milliseconds (CREATE DATABASE ... TEMPLATE). Never a mock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../embedded/start.ts';
import { applyMigrations } from '../migrations/runner.ts';
import { databaseUrlFor } from '../database.ts';
import type { TestDatabaseServer } from './server.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let cleanup = (): Promise<void> => Promise.resolve();
  if (!adminUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), 'jobkit-test-pg-'));
    const server = await startEmbeddedPostgres({ dataDir });
    adminUrl = server.urlFor('postgres');
    cleanup = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  const template = `jobkit_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  await applyMigrations(databaseUrlFor(adminUrl, template));

  const provided: TestDatabaseServer = { adminUrl, template };
  project.provide('testDatabaseServer', provided);
  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await client.end();
    await cleanup();
  };
}
