import { exitCodes } from '../exit-codes.ts';
import { followJob, type Snapshot } from '../follow-job.ts';
import { printJson, printLine } from '../output.ts';
import { progressDisplay } from '../progress-display.ts';
import type { CommandContext } from './context.ts';

/** Follows a job with a progress bar until it ends; exits 1 unless it completed. */
export async function watchCommand(context: CommandContext, jobId: string): Promise<void> {
  const display = progressDisplay(context.terminal);
  let final: Snapshot;
  try {
    final = await followJob(context.client, jobId, (snapshot) => {
      display.show(snapshot);
    });
  } finally {
    display.stop();
  }
  if (final.status !== 'completed') context.exitCode = exitCodes.jobUnsuccessful;
  if (context.json) {
    printJson(context.terminal, final);
    return;
  }
  const ending = final.error ? `: ${final.error.message} (${final.error.code})` : '.';
  printLine(context.terminal, `Job ${final.id} ${final.status}${ending}`);
  if (final.result !== null) printJson(context.terminal, final.result);
  else if (final.storedResult) printJson(context.terminal, final.storedResult.data);
}
