import { streamPingIntervalMs } from '@jobkit/api';
import { claimJobs } from '@jobkit/queue';
import type { Database } from '@jobkit/db';
import type { ServerProcess } from '../children.ts';
import type { BenchConfig } from '../config.ts';
import type { BenchPostgres } from '../postgres.ts';
import { cpuSeconds, openFileLimit, rssMegabytes, usageOver } from '../proc-usage.ts';
import { sleep } from '../stats.ts';
import { jobkit } from '../systems/jobkit.ts';
import { openWatchers, type OpenWatchers } from '../watchers.ts';
import { apiUser, startPolledJobs, withServer } from './http.ts';
import { measureDrain } from './queue.ts';
import { eventsHeard, timeProgressEvents, within, type RunningJob } from './watch-events.ts';

/** Descriptors the server holds beside its watchers' sockets: pools, LISTEN, files, libuv's own. */
const serverFilesBesideWatchers = 200;

export interface IdleUsage {
  rssBefore: number;
  rssMegabytes: number;
  cpuPercent: number;
  connectPerSecond: number;
  /** Server CPU spent while they connected, per stream: what opening one costs it. */
  connectCpuMs: number;
}

/**
 * (a) Opens `watchers` streams on jobs the server has just started (a server in use, not a cold
 * one: RSS is read first), then measures the server at rest: CPU and RSS over `watchSeconds` once
 * every watcher has its first event and the connect burst has settled, when only keep-alive pings
 * flow. The jobs are queued and no worker runs, so none changes meanwhile.
 */
async function watchAtRest(server: ServerProcess, token: string, jobIds: readonly string[], watchers: number, config: BenchConfig) {
  // Each socket is a descriptor of the server's: a limit below the watchers fails part way (EMFILE).
  const limit = openFileLimit(server.pid);
  if (limit < watchers + serverFilesBesideWatchers) {
    throw new Error(`the server may open ${limit} files (ulimit -n); ${watchers} watchers need about ${watchers + serverFilesBesideWatchers}. Raise it in the shell that runs the benchmark.`);
  }
  const rssBefore = rssMegabytes(server.pid);
  const cpuBefore = cpuSeconds(server.pid);
  const watching = await openWatchers({ baseUrl: server.baseUrl, token, jobIds, watchers, node: config.childNode });
  const connectCpuMs = ((cpuSeconds(server.pid) - cpuBefore) * 1000) / watchers;
  const openedAt = performance.now();
  try {
    let events = 0;
    const stopCounting = watching.onEvent(() => {
      events += 1;
    });
    await sleep(Math.min(2_000, config.watchSeconds * 200));
    const usage = await usageOver(server.pid, config.watchSeconds);
    stopCounting();
    const idle: IdleUsage = { rssBefore, ...usage, connectPerSecond: watchers / watching.connectSeconds, connectCpuMs };
    const problems = events === 0 ? [] : [`${watchers} idle watchers: ${events} events arrived for jobs that should not change`];
    return { watching, openedAt, idle, problems };
  } catch (error) {
    await watching.stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Closes the streams; those that ended or failed early are findings, and so are idle ones that
 * heard fewer pings than a ping interval's worth (tRPC pings a stream only after that long without
 * an event, so watchers of changing jobs hear none).
 */
async function stopWatching(watching: OpenWatchers, watchers: number, openedAt: number, idleThroughout: boolean): Promise<string[]> {
  const heldSeconds = (performance.now() - openedAt) / 1000;
  const summary = await watching.stop();
  const problems = summary.lost === 0 ? [] : [`${watchers} watchers: ${summary.lost} streams ended or failed while held (${summary.lostReasons})`];
  if (idleThroughout && heldSeconds * 1000 >= 2 * streamPingIntervalMs && summary.pings < watchers - summary.lost) {
    problems.push(`${watchers} watchers, held ${heldSeconds.toFixed(0)} s, heard only ${summary.pings} keep-alive pings`);
  }
  return problems;
}

/** (a) alone, on a server of its own: `watchers` idle streams over up to `pollTargets` queued jobs. */
export function measureIdleWatchers(postgres: BenchPostgres, config: BenchConfig, watchers: number) {
  return withServer(postgres, config, async (server, db) => {
    const user = await apiUser(db, 'idle-watcher');
    const jobIds = await startPolledJobs(server, user.token, Math.min(watchers, config.pollTargets));
    const rest = await watchAtRest(server, user.token, jobIds, watchers, config);
    return { ...rest.idle, problems: [...rest.problems, ...(await stopWatching(rest.watching, watchers, rest.openedAt, true))] };
  });
}

/** One worker process drains the no-op queue beside the server; the server's CPU is read over the drain itself. */
async function drainBeside(server: ServerProcess, postgres: BenchPostgres, config: BenchConfig, serverUrl: string) {
  let cpuBefore = 0;
  let startedAt = 0;
  let serverCpuPercent = 0;
  const drain = await measureDrain(jobkit, postgres, config, {
    processes: 1,
    url: serverUrl,
    beforeFill: () => {
      cpuBefore = cpuSeconds(server.pid);
      startedAt = performance.now();
      return Promise.resolve();
    },
    after: () => {
      serverCpuPercent = ((cpuSeconds(server.pid) - cpuBefore) / ((performance.now() - startedAt) / 1000)) * 100;
      return Promise.resolve();
    },
  });
  return { jobsPerSecond: drain.jobsPerSecond, serverCpuPercent };
}

/** Claims the jobs for the benchmark (leased for an hour, as conditional-polls.ts does): progress can then be written to them. */
async function claimAll(db: Database, jobIds: readonly string[]): Promise<RunningJob[]> {
  const claimed = await claimJobs(db.pool, { workerId: 'bench', kinds: ['documentAnalysis'], limit: jobIds.length, leaseMs: 3_600_000 });
  const attempts = new Map(claimed.map((job) => [job.id, job.attempt]));
  return jobIds.map((id) => {
    const attempt = attempts.get(id);
    if (attempt === undefined) throw new Error(`job ${id} was not claimed`);
    return { id, attempt };
  });
}

/**
 * `activeWatchers` streams on one server: (a) at rest first, then their jobs are claimed, (b)
 * progress is written to one job at a time, each of its watchers timing the event, and (d) one
 * worker process drains the no-op queue while they stay connected.
 */
export function measureWatchedWrites(postgres: BenchPostgres, config: BenchConfig) {
  const watchers = config.activeWatchers;
  return withServer(postgres, config, async (server, db, serverUrl) => {
    const user = await apiUser(db, 'watcher');
    const jobIds = await startPolledJobs(server, user.token, Math.min(watchers, config.pollTargets));
    const { watching, openedAt, idle, problems } = await watchAtRest(server, user.token, jobIds, watchers, config);
    try {
      // The claim is every job's next version: every watcher hears it before the timed writes begin.
      const claim = eventsHeard(watching, watchers);
      const jobs = await claimAll(db, jobIds);
      await within(claim.all, 60_000, () => `${claim.heard()} of ${watchers} watchers heard their job's claim within 60 s`);
      claim.stop();
      const latency = await timeProgressEvents(db, watching, jobs, config);
      const drain = await drainBeside(server, postgres, config, serverUrl);
      problems.push(...latency.problems, ...(await stopWatching(watching, watchers, openedAt, false)));
      return { idle, p50: latency.p50, p99: latency.p99, drain, problems };
    } finally {
      await watching.stop().catch(() => undefined);
    }
  });
}

/** (d) without watchers: the same server, jobs and claim, no stream open (so no LISTEN either). */
export function measureUnwatchedDrain(postgres: BenchPostgres, config: BenchConfig) {
  return withServer(postgres, config, async (server, db, serverUrl) => {
    const user = await apiUser(db, 'watcher');
    await claimAll(db, await startPolledJobs(server, user.token, Math.min(config.activeWatchers, config.pollTargets)));
    return drainBeside(server, postgres, config, serverUrl);
  });
}
