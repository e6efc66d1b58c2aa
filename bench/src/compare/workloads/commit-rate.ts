import pg from 'pg';
import type { BenchConfig } from '../config.ts';
import type { BenchPostgres } from '../postgres.ts';

/**
 * The machine's ceiling for any durable queue, pgbench-style: `commitClients` connections, each
 * incrementing its own row in autocommit (one WAL flush per commit) for `commitSeconds`.
 */
export async function measureCommitRate(postgres: BenchPostgres, config: BenchConfig): Promise<number> {
  const url = await postgres.freshDatabase();
  const pool = new pg.Pool({ connectionString: url, max: config.commitClients });
  try {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO counter SELECT g, 0 FROM generate_series(1, $1) AS g', [config.commitClients]);
    // Connected before the clock starts, as pgbench does.
    const clients = await Promise.all(Array.from({ length: config.commitClients }, () => pool.connect()));
    let commits = 0;
    const started = performance.now();
    const deadline = started + config.commitSeconds * 1000;
    await Promise.all(
      clients.map(async (client, index) => {
        while (performance.now() < deadline) {
          await client.query({ name: 'bump', text: 'UPDATE counter SET n = n + 1 WHERE id = $1', values: [index + 1] });
          commits += 1;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    for (const client of clients) client.release();
    return commits / seconds;
  } finally {
    await pool.end();
    await postgres.dropDatabase(url);
  }
}
