/**
 * What another process uses, read from Linux's /proc: the server is the product's own `main.ts`,
 * which reports nothing of itself, so the benchmark looks at it from outside.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sleep } from './stats.ts';

/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times (100 on nearly every Linux). */
const ticksPerSecond = (() => {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU time of every thread of the process so far, in seconds (10 ms steps). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line (utime, stime) are the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Resident set size in MB (10^6 bytes), VmRSS of /proc/<pid>/status. */
export function rssMegabytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return (Number(match[1]) * 1024) / 1e6;
}

/** The soft limit on open files (`ulimit -n`) of a process: each socket takes one. */
export function openFileLimit(pid: number | 'self'): number {
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  if (!match?.[1]) throw new Error(`no open-file limit for process ${pid}`);
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/**
 * A process's CPU (% of one core) over `seconds` of wall time, and its RSS at the end. Tick
 * resolution is 10 ms, so over 10 s a figure is good to 0.1 % of a core.
 */
export async function usageOver(pid: number, seconds: number): Promise<{ cpuPercent: number; rssMegabytes: number }> {
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  return { cpuPercent: ((cpuSeconds(pid) - cpuBefore) / elapsed) * 100, rssMegabytes: rssMegabytes(pid) };
}
