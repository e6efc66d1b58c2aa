import { claimJobs, recordProgress } from '@jobkit/queue';
import type { BenchConfig } from '../config.ts';
import { startLoad } from '../children.ts';
import type { BenchPostgres } from '../postgres.ts';
import { apiUser, describeFailures, isString, startPolledJobs, withServer } from './http.ts';

/**
 * What a poll costs when the job did not change, against a full one: `pollers` connections with no
 * pause ask for running jobs (claimed, with a progress report), first with `jobs.getJob`, then with
 * `jobs.pollJob` and the version they have, each for `httpSeconds`, no worker draining meanwhile.
 * The same server, database and jobs for both, one after the other.
 */
export function measureConditionalPolls(postgres: BenchPostgres, config: BenchConfig, pollers: number) {
  return withServer(postgres, config, async (server, db) => {
    const user = await apiUser(db, 'conditional-poller');
    const jobIds = await startPolledJobs(server, user.token, Math.min(pollers, config.pollTargets));
    const claimed = await claimJobs(db.pool, { workerId: 'bench', kinds: ['documentAnalysis'], limit: jobIds.length, leaseMs: 3_600_000 });
    for (const job of claimed) {
      await recordProgress(db.pool, { jobId: job.id, workerId: 'bench', attempt: job.attempt }, { percent: 40, message: 'Reading part 3 of 8' });
    }
    const { rows } = await db.pool.query<{ id: string; version: number }>('SELECT id, version FROM job WHERE id = ANY($1::uuid[])', [jobIds]);
    const query = (procedure: string, input: object) => `/trpc/jobs.${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
    const poll = async (paths: string[]) =>
      (await startLoad({ url: server.baseUrl, method: 'GET', token: user.token, connections: pollers, paths, seconds: config.httpSeconds }, config.childNode)).finish();
    const full = await poll(rows.map(({ id }) => query('getJob', { jobId: id })));
    const unchanged = await poll(rows.map(({ id, version }) => query('pollJob', { jobId: id, knownVersion: version })));
    return {
      fullPerSecond: full.requestsPerSecond,
      fullP99: full.p99,
      unchangedPerSecond: unchanged.requestsPerSecond,
      unchangedP99: unchanged.p99,
      problems: [describeFailures(`getJob, ${pollers} pollers`, full), describeFailures(`pollJob, ${pollers} pollers`, unchanged)].filter(isString),
    };
  });
}
