import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Linux clock ticks per second (`getconf CLK_TCK`), the unit of /proc/<pid>/stat times. */
const ticksPerSecond = 100;

interface ProcessTimes {
  ppid: number;
  /** Own user + system time, and that of its reaped children, in ms. */
  ownMs: number;
  reapedMs: number;
}

function timesOf(pid: string): ProcessTimes | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // The command name (field 2) may hold spaces: the fields that matter follow its closing paren.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const at = (field: number): number => fields[field - 3] ?? 0;
  const ms = (ticks: number): number => (ticks * 1000) / ticksPerSecond;
  return { ppid: at(4), ownMs: ms(at(14) + at(15)), reapedMs: ms(at(16) + at(17)) };
}

/**
 * CPU time PostgreSQL has used so far, in ms: the postmaster, its live backends, and the backends
 * that already exited (counted in the postmaster's reaped-children time).
 */
export function postgresCpuMs(dataDir: string): number {
  const postmaster = (readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '').trim();
  const root = timesOf(postmaster);
  if (!root) throw new Error(`PostgreSQL (pid ${postmaster}) is not running`);
  let total = root.ownMs + root.reapedMs;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const times = timesOf(pid);
    if (times && String(times.ppid) === postmaster) total += times.ownMs;
  }
  return total;
}

/** This process's CPU time (all its threads), in ms. */
export function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}
