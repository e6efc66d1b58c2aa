import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { v7 as uuidv7 } from 'uuid';
import { databaseUrlFor, openDatabase, type Database } from '../database.ts';
import type { TestDatabaseServer } from './server.ts';

export { databaseUrlFor } from '../database.ts';

export interface TestDatabase extends Database {
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file (pg-boss's per-test schemas, one level up). */
export async function createTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const { adminUrl, template }: TestDatabaseServer = inject('testDatabaseServer');
  const name = `jobkit_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const database = openDatabase(databaseUrlFor(adminUrl, name), options);
  return {
    ...database,
    async drop() {
      await database.close();
      await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** Inserts a user and returns its id: every job needs an owner. */
export async function createTestUser(database: Database, role: 'user' | 'admin' = 'user'): Promise<string> {
  const id = uuidv7();
  await database.prisma.user.create({ data: { id, email: `${id}@test.invalid`, name: `Test ${role}`, role } });
  return id;
}

export { startBuiltProcess, startTypeScriptProcess, type TestProcess } from './process.ts';
export { cloneRepository, normalAccount, privateFolder, runCommand, runsAsRoot, type Account, type CommandResult, type RepositoryClone } from './repository-clone.ts';
