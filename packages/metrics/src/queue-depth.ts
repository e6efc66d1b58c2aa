import type { Database } from '@jobkit/db';
import { Counter, Gauge, type Registry } from 'prom-client';
import { metricPrefix } from './registry.ts';

/**
 * Queued and running jobs by kind, one grouped count per status. Each half matches an index that
 * holds only its status or begins with it (`job_claim_idx`: queued jobs only, `job_lease_idx`:
 * running ones, `job_status_idx`: the admin viewer's, by status first), so the count reads those
 * rows and never the finished jobs that make up most of the table (see test/queue-depth.test.ts).
 */
const queueDepthSql = `
SELECT kind, 'queued' AS status, count(*)::int AS jobs FROM job WHERE status = 'queued' GROUP BY kind
UNION ALL
SELECT kind, 'running' AS status, count(*)::int AS jobs FROM job WHERE status = 'running' GROUP BY kind`;

export { queueDepthSql };

interface DepthRow {
  kind: string;
  status: 'queued' | 'running';
  jobs: number;
}

/**
 * `jobkit_queue_jobs{kind,status}`, counted on a scrape at most once per `refreshMs` (scrapes in
 * between, from any number of scrapers, get the last count), so scraping never costs more than
 * one count per interval. A count that fails keeps the last one and is counted itself.
 */
export function queueDepthMetrics(registry: Registry, pool: Database['pool'], options: { refreshMs: number }): void {
  const failures = new Counter({
    name: `${metricPrefix}queue_depth_refresh_failures_total`,
    help: 'Counts of queued and running jobs that failed (the gauge kept its last values).',
    registers: [registry],
  });
  // A kind that had jobs shows 0 when it has none, rather than disappearing from the series.
  const seen = new Set<string>();
  let countedAt = Number.NEGATIVE_INFINITY;
  let counting: Promise<void> | undefined;

  const count = async (): Promise<void> => {
    try {
      const { rows } = await pool.query<DepthRow>(queueDepthSql);
      const now = new Map(rows.map((row) => [`${row.kind}\u0000${row.status}`, row]));
      for (const key of seen) if (!now.has(key)) depth.set(labelsOf(key), 0);
      for (const [key, row] of now) {
        seen.add(key);
        depth.set({ kind: row.kind, status: row.status }, row.jobs);
      }
    } catch {
      failures.inc();
    }
  };

  const depth = new Gauge({
    name: `${metricPrefix}queue_jobs`,
    help: `Jobs queued and running, by kind and status, counted at most every ${options.refreshMs / 1000} s.`,
    labelNames: ['kind', 'status'],
    registers: [registry],
    collect: async () => {
      if (performance.now() - countedAt >= options.refreshMs) {
        // Dated from the start: a count that fails is not tried again before the interval either.
        countedAt = performance.now();
        counting ??= count().finally(() => {
          counting = undefined;
        });
      }
      await counting;
    },
  });
}

function labelsOf(key: string): { kind: string; status: string } {
  const [kind = '', status = ''] = key.split('\u0000');
  return { kind, status };
}
