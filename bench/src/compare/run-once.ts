import { inspect } from 'node:util';
import type { BenchConfig, Workload } from './config.ts';
import type { Column } from './metrics.ts';
import type { BenchPostgres } from './postgres.ts';
import { producers, systemsById } from './systems/index.ts';
import type { SystemId } from './systems/types.ts';
import { measureCommitRate } from './workloads/commit-rate.ts';
import { measureConditionalPolls } from './workloads/conditional-polls.ts';
import { measurePolling, measureStarts } from './workloads/http.ts';
import { measureDrain, measureEnqueue, measureLatency } from './workloads/queue.ts';
import { measureIdleWatchers, measureUnwatchedDrain, measureWatchedWrites, type IdleUsage } from './workloads/watch.ts';

export interface RunContext {
  config: BenchConfig;
  postgres: BenchPostgres;
  record: (metric: string, column: Column, value: number) => void;
  /** Something that went wrong or is worth a note; printed under the table and kept in the JSON. */
  problem: (message: string) => void;
  log: (message: string) => void;
  /** Node version each system's worker processes reported. */
  nodes: Map<SystemId, string>;
}

/** Each run starts with another system, so slow drift on a shared machine does not favour one. */
function rotate<T>(list: readonly T[], by: number): T[] {
  const shift = by % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** One run of every chosen workload. A failed measurement is reported and the run goes on. */
export async function runOnce(run: number, context: RunContext): Promise<void> {
  const { config, postgres, record, log } = context;
  const runs = (workload: Workload) => config.workloads.includes(workload);
  const attempt = async (what: string, action: () => Promise<void>) => {
    log(`run ${run}: ${what}`);
    try {
      await action();
    } catch (error) {
      context.problem(`run ${run}, ${what}: FAILED, ${error instanceof Error ? error.message : inspect(error)}`);
    }
  };
  const chosen = config.systems.map((id) => systemsById[id]);

  if (runs('commit')) {
    await attempt('PostgreSQL commit rate', async () => {
      record('commitRate', 'machine', await measureCommitRate(postgres, config));
    });
  }
  for (const system of runs('enqueue') ? rotate(producers.filter((candidate) => config.systems.includes(candidate.id)), run) : []) {
    await attempt(`enqueue, ${system.label}`, async () => {
      const { single, batch } = await measureEnqueue(system, postgres, config);
      record('enqueueSingle', system.id, single);
      record('enqueueBatch', system.id, batch);
    });
  }
  for (const system of runs('drain') ? rotate(chosen, run) : []) {
    await attempt(`drain with 1 process, then pickup latency on it, ${system.label}`, async () => {
      const one = await measureDrain(system, postgres, config, {
        processes: 1,
        // The same process, idle again after its drain: no second start-up to wait for.
        after: async (workers, url) => {
          const latency = await measureLatency(workers, url, system, config);
          record('latencyP50', system.id, latency.p50);
          record('latencyP95', system.id, latency.p95);
          record('latencyP99', system.id, latency.p99);
          record('latencyMax', system.id, latency.max);
        },
      });
      context.nodes.set(system.id, one.node);
      record('drain1', system.id, one.jobsPerSecond);
    });
    await attempt(`drain with 2 processes, ${system.label}`, async () => {
      record('drain2', system.id, (await measureDrain(system, postgres, config, { processes: 2 })).jobsPerSecond);
    });
  }
  if (runs('watch') && config.systems.includes('jobkit')) await watchRows(run, context, attempt);
  if (!runs('http') || !config.systems.includes('jobkit')) return;
  await attempt('HTTP starts', async () => {
    const starts = await measureStarts(postgres, config);
    record('httpStart', 'jobkit', starts.startsPerSecond);
    record('httpStartP50', 'jobkit', starts.p50);
    record('httpStartP99', 'jobkit', starts.p99);
    record('httpStartMany', 'jobkit', starts.startManyJobsPerSecond);
    for (const problem of starts.problems) context.problem(`run ${run}, ${problem}`);
  });
  for (const pollers of config.pollers) {
    await attempt(`HTTP polling, ${pollers} pollers, while a worker drains`, async () => {
      const polling = await measurePolling(postgres, config, pollers);
      record(`httpPoll${pollers}`, 'jobkit', polling.pollsPerSecond);
      record(`httpPoll${pollers}P50`, 'jobkit', polling.p50);
      record(`httpPoll${pollers}P99`, 'jobkit', polling.p99);
      record(`drainDuringPoll${pollers}`, 'jobkit', polling.drainJobsPerSecond);
      for (const problem of polling.problems) context.problem(`run ${run}, ${problem}`);
    });
    await attempt(`HTTP polls, full and unchanged, ${pollers} pollers`, async () => {
      const polls = await measureConditionalPolls(postgres, config, pollers);
      record(`httpPollFull${pollers}`, 'jobkit', polls.fullPerSecond);
      record(`httpPollFull${pollers}P99`, 'jobkit', polls.fullP99);
      record(`httpPollUnchanged${pollers}`, 'jobkit', polls.unchangedPerSecond);
      record(`httpPollUnchanged${pollers}P99`, 'jobkit', polls.unchangedP99);
      for (const problem of polls.problems) context.problem(`run ${run}, ${problem}`);
    });
  }
}

/** jobs.watchJob over SSE: idle watchers' cost, event latency, and what watchers cost a drain. */
async function watchRows(run: number, context: RunContext, attempt: (what: string, action: () => Promise<void>) => Promise<void>) {
  const { config, postgres, record } = context;
  const noteAll = (problems: readonly string[]) => {
    for (const problem of problems) context.problem(`run ${run}, ${problem}`);
  };
  const recordIdle = (watchers: number, idle: IdleUsage) => {
    record(`watchIdle${watchers}RssBefore`, 'jobkit', idle.rssBefore);
    record(`watchIdle${watchers}Rss`, 'jobkit', idle.rssMegabytes);
    record(`watchIdle${watchers}RssAdded`, 'jobkit', idle.rssMegabytes - idle.rssBefore);
    record(`watchIdle${watchers}Cpu`, 'jobkit', idle.cpuPercent);
    record(`watchIdle${watchers}Connect`, 'jobkit', idle.connectPerSecond);
    record(`watchIdle${watchers}ConnectCpu`, 'jobkit', idle.connectCpuMs);
  };
  // The active watchers are measured at rest too, on their own server before its writes: no server of its own.
  for (const watchers of config.watchers.filter((count) => count !== config.activeWatchers)) {
    await attempt(`SSE, ${watchers} idle watchers`, async () => {
      const idle = await measureIdleWatchers(postgres, config, watchers);
      recordIdle(watchers, idle);
      noteAll(idle.problems);
    });
  }
  const drains: { alone?: number; watched?: number } = {};
  const alone = () =>
    attempt('drain beside the server, no watchers', async () => {
      const drain = await measureUnwatchedDrain(postgres, config);
      drains.alone = drain.jobsPerSecond;
      record('watchDrainAlone', 'jobkit', drain.jobsPerSecond);
      record('watchDrainAloneServerCpu', 'jobkit', drain.serverCpuPercent);
    });
  const watched = () =>
    attempt(`SSE, ${config.activeWatchers} watchers at rest, then progress events, then a drain`, async () => {
      const writes = await measureWatchedWrites(postgres, config);
      if (config.watchers.includes(config.activeWatchers)) recordIdle(config.activeWatchers, writes.idle);
      record('watchEventP50', 'jobkit', writes.p50);
      record('watchEventP99', 'jobkit', writes.p99);
      drains.watched = writes.drain.jobsPerSecond;
      record('watchDrainWatched', 'jobkit', writes.drain.jobsPerSecond);
      record('watchDrainWatchedServerCpu', 'jobkit', writes.drain.serverCpuPercent);
      noteAll(writes.problems);
    });
  // Each run starts with the other one, so drift on a shared machine does not favour either drain.
  for (const step of run % 2 === 1 ? [watched, alone] : [alone, watched]) await step();
  if (drains.alone !== undefined && drains.watched !== undefined) {
    record('watchDrainCost', 'jobkit', (1 - drains.watched / drains.alone) * 100);
  }
}
