import type { RouterInputs, RouterOutputs } from '@jobkit/api';
import { progressHistorySchema } from '@jobkit/jobs';
import { trpcCodeOf } from '../exit-codes.ts';
import { printJson, printLine, printNote, printTable, shortTime } from '../output.ts';
import { readInputArgument, startRequestFor } from '../start-request.ts';
import type { CommandContext } from './context.ts';
import { watchCommand } from './watch.ts';

/** What both lists give of a job (an admin's also names its owner). */
type ListedJob = RouterOutputs['jobs']['listJobs']['items'][number] | RouterOutputs['admin']['listJobs']['items'][number];

export type ListFilters = Omit<RouterInputs['admin']['listJobs'], 'cursor'> & { cursor?: string | undefined; mine?: boolean | undefined };

/** Every user's jobs (an admin's token), or with `mine` only the caller's; newest first. */
export async function listCommand(context: CommandContext, filters: ListFilters): Promise<void> {
  const { mine, ownerEmail, createdFrom, createdTo, ...common } = filters;
  const page = mine
    ? await context.client.jobs.listJobs.query(common)
    : await context.client.admin.listJobs.query({ ...common, ownerEmail, createdFrom, createdTo });
  if (context.json) {
    printJson(context.terminal, page);
    return;
  }
  const rows: readonly ListedJob[] = page.items;
  printTable(context.terminal, rows, [
    { header: 'ID', cell: (job) => job.id },
    { header: 'KIND', cell: (job) => job.kind },
    { header: 'STATUS', cell: (job) => job.status },
    { header: 'PROGRESS', cell: (job) => `${job.progress}%` },
    { header: 'ATTEMPT', cell: (job) => String(job.attempt) },
    { header: 'OWNER', cell: (job) => ('ownerEmail' in job ? job.ownerEmail : 'you') },
    { header: 'CREATED', cell: (job) => shortTime(job.createdAt) },
  ]);
  if (page.nextCursor) printNote(context.terminal, `More: add --cursor ${page.nextCursor}`);
}

/**
 * Everything about one job with an admin's token: attempts and progress history. With a user's
 * token, which may not read those, the job as its owner sees it.
 */
export async function showCommand(context: CommandContext, jobId: string): Promise<void> {
  let job;
  try {
    job = await context.client.admin.getJob.query({ jobId });
  } catch (error) {
    if (trpcCodeOf(error) !== 'FORBIDDEN') throw error;
    printNote(context.terminal, 'Attempts and progress history need an admin\'s token; this is the job as its owner sees it.');
    printJson(context.terminal, await context.client.jobs.getJob.query({ jobId }));
    return;
  }
  if (context.json) {
    printJson(context.terminal, job);
    return;
  }
  const { terminal } = context;
  printLine(terminal, `${job.title} ${job.id}`);
  printLine(terminal, `  status    ${job.status}${job.cancelRequested ? ' (cancel requested)' : ''}, ${job.progress}%${job.progressMessage ? ` ${job.progressMessage}` : ''}`);
  printLine(terminal, `  owner     ${job.owner.email}`);
  printLine(terminal, `  attempt   ${job.attempt} of ${job.maxAttempts}${job.lockedBy ? ` on ${job.lockedBy}` : ''}`);
  printLine(terminal, `  created   ${shortTime(job.createdAt)}   finished ${shortTime(job.finishedAt)}`);
  printLine(terminal);
  printTable(terminal, job.attempts, [
    { header: 'ATTEMPT', cell: (attempt) => String(attempt.attempt) },
    { header: 'OUTCOME', cell: (attempt) => attempt.outcome },
    { header: 'WORKER', cell: (attempt) => attempt.workerId },
    { header: 'STARTED', cell: (attempt) => shortTime(attempt.startedAt) },
    { header: 'TOOK', cell: (attempt) => (attempt.durationMs === null ? '—' : `${(attempt.durationMs / 1000).toFixed(1)} s`) },
  ]);
  const history = progressHistorySchema.safeParse(job.progressHistory ?? []);
  if (history.success && history.data.length > 0) {
    printLine(terminal);
    for (const step of history.data) printLine(terminal, `  ${shortTime(step.at)}  #${step.attempt}  ${step.percent}%  ${step.message}`);
  }
}

export interface StartOptions {
  input: string;
  watch?: boolean | undefined;
  idempotencyKey?: string | undefined;
  priority?: number | undefined;
  notifyByEmail?: boolean | undefined;
}

/** Starts a job of `kind`, its input checked by the kind's schema here first; prints its id. */
export async function startCommand(context: CommandContext, kind: string, options: StartOptions): Promise<void> {
  const request = startRequestFor(kind, await readInputArgument(options.input, context.terminal.readStdin));
  const { jobs } = await context.client.analysis.startMany.mutate({
    jobs: [{ ...request, idempotencyKey: options.idempotencyKey, priority: options.priority, notifyByEmail: options.notifyByEmail }],
  });
  const [job] = jobs;
  if (!job) throw new Error('The server answered a start with no job.');
  if (options.watch) {
    printNote(context.terminal, `Started job ${job.jobId}.`);
    await watchCommand(context, job.jobId);
  } else if (context.json) printJson(context.terminal, job);
  else printLine(context.terminal, job.jobId);
}

export async function retryCommand(context: CommandContext, jobId: string): Promise<void> {
  const answer = await context.client.jobs.retryJob.mutate({ jobId });
  if (context.json) printJson(context.terminal, answer);
  else printLine(context.terminal, `Job ${answer.jobId} is ${answer.status} again.`);
}

export async function cancelCommand(context: CommandContext, jobId: string): Promise<void> {
  const answer = await context.client.jobs.cancelJob.mutate({ jobId });
  if (context.json) printJson(context.terminal, answer);
  else printLine(context.terminal, answer.status === 'cancelled' ? `Job ${answer.jobId} is cancelled.` : `Job ${answer.jobId} is running; its worker was asked to stop.`);
}
