/**
 * `pnpm bench`: the same workloads through our worker, graphile-worker (defaults and batched) and
 * pg-boss, on one PostgreSQL (embedded, or the server at DATABASE_URL), plus our HTTP path, live job
 * watching over SSE and the machine's commit rate. Prints one table and writes it all as JSON (bench/results/latest.json, or
 * --out FILE / BENCH_OUT). `--smoke` / BENCH_SMOKE=1: tiny sizes, one run. Settings: config.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readConfig } from './config.ts';
import { codeUnderTest, currentLoad, machineInfo } from './machine.ts';
import { metrics, type Column } from './metrics.ts';
import { startBenchPostgres } from './postgres.ts';
import { Collector, type BenchResults } from './results.ts';
import { runOnce } from './run-once.ts';
import { producers, systemsById } from './systems/index.ts';
import type { SystemId } from './systems/types.ts';
import { renderTable } from './table.ts';

const config = readConfig();
const loadAtStart = currentLoad();
const began = performance.now();
const log = (message: string) => {
  console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`);
};
const childNodeVersion = execFileSync(config.childNode, ['--version'], { encoding: 'utf8' }).trim();
const nodes = new Map<SystemId, string>();
const problems: string[] = [];
const collector = new Collector();

const postgres = await startBenchPostgres();
try {
  log(`PostgreSQL ${postgres.version} (${postgres.description}); children run ${config.childNode} (${childNodeVersion})`);
  const families = new Set(config.systems.map((id) => systemsById[id].family));
  // The server's workloads (http, watch) run on our schema.
  if (config.workloads.some((workload) => workload === 'http' || workload === 'watch')) families.add('jobkit');
  for (const system of producers.filter((candidate) => families.has(candidate.family))) {
    await postgres.createTemplate(system.family, (url) => system.install(url));
  }
  for (let run = 1; run <= config.runs; run++) {
    log(`run ${run} of ${config.runs}`);
    await runOnce(run, {
      config,
      postgres,
      nodes,
      log,
      // Shown as it comes: a long run's progress, and its noise, stay visible.
      record(metric: string, column: Column, value: number) {
        collector.record(metric, column, value);
        log(`  ${metric} ${column}: ${value.toFixed(value < 100 ? 2 : 0)}`);
      },
      problem(message) {
        problems.push(message);
        log(`  ${message}`);
      },
    });
  }

  const describe = (id: SystemId) => {
    const system = systemsById[id];
    const ran = config.systems.includes(id);
    return { label: system.label, settings: system.describe(config), node: ran ? (nodes.get(id) ?? childNodeVersion) : 'not run' };
  };
  const { out, ...settings } = config;
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    smoke: config.smoke,
    code: codeUnderTest(),
    machine: machineInfo(loadAtStart),
    postgres: { version: postgres.version, description: postgres.description },
    benchNode: process.version,
    httpNode: childNodeVersion,
    config: settings,
    systems: { jobkit: describe('jobkit'), 'jobkit-threads': describe('jobkit-threads'), graphile: describe('graphile'), 'graphile-batched': describe('graphile-batched'), pgboss: describe('pgboss') },
    rows: collector.rows(metrics(config)),
    problems,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${renderTable(results, metrics(config))}\n`);
  console.log(`Written: ${out}`);
} finally {
  await postgres.dispose();
}
