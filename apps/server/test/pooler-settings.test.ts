import { connectionOptionsFrom } from '@jobkit/db';
import { workerOptionsFrom } from '@jobkit/worker';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../src/config.ts';

describe('pooler settings', () => {
  it('leave named statements to the database (on for the embedded one), LISTEN on DATABASE_URL, a 200 ms poll when LISTEN hears nothing', () => {
    const config = readConfig({});
    expect(connectionOptionsFrom(config)).toEqual({ preparedStatements: undefined, listenUrl: undefined });
    expect(workerOptionsFrom(config).pollOnlyIntervalMs).toBe(200);
  });

  it('read DATABASE_PREPARED_STATEMENTS, DATABASE_LISTEN_URL and WORKER_POLL_ONLY_INTERVAL_MS', () => {
    const config = readConfig({
      DATABASE_PREPARED_STATEMENTS: 'true',
      DATABASE_LISTEN_URL: 'postgresql://jobkit@db.internal:5432/jobkit',
      WORKER_POLL_ONLY_INTERVAL_MS: '500',
    });
    expect(connectionOptionsFrom(config)).toEqual({ preparedStatements: true, listenUrl: 'postgresql://jobkit@db.internal:5432/jobkit' });
    expect(workerOptionsFrom(config).pollOnlyIntervalMs).toBe(500);
  });

  it('refuse a LISTEN URL that is not one, naming the setting', () => {
    for (const notOne of ['db.internal:5432', 'http://db.internal/jobkit']) {
      expect(() => readConfig({ DATABASE_LISTEN_URL: notOne })).toThrow(/DATABASE_LISTEN_URL must be a postgresql:\/\/ URL/);
    }
    expect(() => readConfig({ DATABASE_PREPARED_STATEMENTS: 'yes' })).toThrow(/DATABASE_PREPARED_STATEMENTS/);
  });

  it('read DATABASE_POOL_SIZE, and refuse one that cannot be a pool, naming the setting', () => {
    expect(readConfig({}).DATABASE_POOL_SIZE).toBeUndefined();
    expect(readConfig({ DATABASE_POOL_SIZE: '40' }).DATABASE_POOL_SIZE).toBe(40);
    for (const notOne of ['1', 'many', '2.5']) expect(() => readConfig({ DATABASE_POOL_SIZE: notOne })).toThrow(/DATABASE_POOL_SIZE must be/);
  });
});
