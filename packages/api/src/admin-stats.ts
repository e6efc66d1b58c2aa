import type { Database } from '@jobkit/db';
import type { JobStatus } from '@jobkit/jobs';
import { firstUuidAt } from './uuid-time.ts';

/** Every admin viewer polls these; one computation per process serves them all for a while. */
const cacheMs = 5_000;
const minutes = 60;

export interface AdminStats {
  countsByStatus: Record<JobStatus, number>;
  /** Jobs created in each of the last 60 minutes, oldest first. */
  perMinute: { minute: string; created: number }[];
  computedAt: string;
}

const cache = new WeakMap<Database, { at: number; stats: Promise<AdminStats> }>();

export function adminStats(db: Database): Promise<AdminStats> {
  const cached = cache.get(db);
  if (cached && Date.now() - cached.at < cacheMs) return cached.stats;
  const stats = computeStats(db);
  cache.set(db, { at: Date.now(), stats });
  stats.catch(() => cache.delete(db));
  return stats;
}

async function computeStats(db: Database): Promise<AdminStats> {
  const now = Date.now();
  const firstMinute = Math.floor(now / 60_000) * 60_000 - (minutes - 1) * 60_000;
  // Counts: an index-only scan of job_status_idx. Per minute: a primary-key range (UUIDv7 ids).
  const [counts, recent] = await Promise.all([
    db.pool.query<{ status: JobStatus; n: number }>('SELECT status, count(*)::int AS n FROM job GROUP BY status'),
    db.pool.query<{ minute: string; n: number }>(
      `SELECT (floor(extract(epoch FROM created_at) / 60) * 60000)::bigint::text AS minute, count(*)::int AS n
       FROM job WHERE id >= $1 GROUP BY 1`,
      [firstUuidAt(firstMinute)],
    ),
  ]);
  const countsByStatus: Record<JobStatus, number> = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const row of counts.rows) countsByStatus[row.status] = row.n;
  const byMinute = new Map(recent.rows.map((row) => [Number(row.minute), row.n]));
  const perMinute = Array.from({ length: minutes }, (_, index) => {
    const minute = firstMinute + index * 60_000;
    return { minute: new Date(minute).toISOString(), created: byMinute.get(minute) ?? 0 };
  });
  return { countsByStatus, perMinute, computedAt: new Date(now).toISOString() };
}
