import { printJson, printLine, printTable } from '../output.ts';
import type { CommandContext } from './context.ts';

/** The admin viewer's counts: jobs by status, and jobs created in the last hour. */
export async function statsCommand(context: CommandContext): Promise<void> {
  const stats = await context.client.admin.stats.query();
  if (context.json) {
    printJson(context.terminal, stats);
    return;
  }
  printTable(context.terminal, Object.entries(stats.countsByStatus), [
    { header: 'STATUS', cell: ([status]) => status },
    { header: 'JOBS', cell: ([, count]) => String(count) },
  ]);
  const lastHour = stats.perMinute.reduce((sum, minute) => sum + minute.created, 0);
  printLine(context.terminal);
  printLine(context.terminal, `${lastHour} created in the last hour (as of ${stats.computedAt}).`);
}
