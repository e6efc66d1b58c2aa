import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  /** 1-minute load average when the run started and when it ended: a busy machine shows here. */
  loadAverage: { start: number; end: number };
}

export function machineInfo(loadAtStart: number): MachineInfo {
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
  };
}

export function currentLoad(): number {
  return loadavg()[0] ?? Number.NaN;
}

/**
 * Which code was measured: BENCH_LABEL if given, else the commit and whether the worker, queue or
 * server code differs from it (the comparison is only as good as knowing what ran).
 */
export function codeUnderTest(): string {
  if (process.env.BENCH_LABEL) return process.env.BENCH_LABEL;
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', '../packages', '../apps/server');
    return changed === '' ? `commit ${commit}` : `commit ${commit} + uncommitted changes in packages/ or apps/server`;
  } catch {
    return 'unknown (no git; set BENCH_LABEL)';
  }
}
