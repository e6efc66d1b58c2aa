import type { RouterOutputs } from '@jobkit/api';
import { printJson, printLine, printTable, shortTime } from '../output.ts';
import type { CommandContext } from './context.ts';

/** The worker processes online (an admin's token). */
export async function workersCommand(context: CommandContext): Promise<void> {
  const { workers } = await context.client.workers.list.query();
  if (context.json) {
    printJson(context.terminal, { workers });
    return;
  }
  if (workers.length === 0) {
    printLine(context.terminal, 'No worker is running: start one with `pnpm worker` (or `pnpm start`).');
    return;
  }
  printTable(context.terminal, workers, [
    { header: 'WORKER', cell: (worker) => worker.id },
    { header: 'RUNNING', cell: (worker) => `${worker.runningJobs}/${worker.concurrency}` },
    { header: 'VERSION', cell: (worker) => worker.version },
    { header: 'STARTED', cell: (worker) => shortTime(worker.startedAt) },
    { header: 'LAST SEEN', cell: (worker) => shortTime(worker.lastSeenAt) },
    { header: 'KINDS', cell: (worker) => worker.kinds.join(',') },
  ]);
}

type Schedule = RouterOutputs['schedules']['list']['schedules'][number];

function printSchedules(context: CommandContext, schedules: readonly Schedule[]): void {
  printTable(context.terminal, schedules, [
    { header: 'SCHEDULE', cell: (schedule) => schedule.name },
    { header: 'KIND', cell: (schedule) => schedule.kind },
    { header: 'CRON', cell: (schedule) => `${schedule.cron} ${schedule.timeZone}` },
    { header: 'STATE', cell: (schedule) => (schedule.paused ? 'paused' : 'active') },
    { header: 'LAST JOB', cell: (schedule) => schedule.lastJobId ?? '—' },
    { header: 'NEXT TICK', cell: (schedule) => shortTime(schedule.nextTickAt) },
  ]);
}

/** The recurring schedules with their last and next ticks (an admin's token). */
export async function schedulesCommand(context: CommandContext): Promise<void> {
  const { schedules } = await context.client.schedules.list.query();
  if (context.json) printJson(context.terminal, { schedules });
  else if (schedules.length === 0) printLine(context.terminal, 'This server defines no schedules.');
  else printSchedules(context, schedules);
}

/** Pauses or resumes one schedule by name, and shows it as it is now. */
export async function setSchedulePausedCommand(context: CommandContext, name: string, paused: boolean): Promise<void> {
  const schedule = paused ? await context.client.schedules.pause.mutate({ name }) : await context.client.schedules.resume.mutate({ name });
  if (context.json) printJson(context.terminal, schedule);
  else printSchedules(context, [schedule]);
}
