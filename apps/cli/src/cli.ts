import { jobStatusSchema } from '@jobkit/jobs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { createJobkitClient, type Connection } from './client.ts';
import type { CommandContext } from './commands/context.ts';
import { cancelCommand, listCommand, retryCommand, showCommand, startCommand } from './commands/jobs.ts';
import { schedulesCommand, setSchedulePausedCommand, workersCommand } from './commands/operations.ts';
import { statsCommand } from './commands/stats.ts';
import { watchCommand } from './commands/watch.ts';
import { CliError, exitCodes, explain, type ExitCode } from './exit-codes.ts';
import { printNote, type Terminal } from './output.ts';

export { exitCodes, type ExitCode } from './exit-codes.ts';
export type { Terminal } from './output.ts';

const defaultUrl = 'http://127.0.0.1:3000';

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new InvalidArgumentError('a whole number');
  return number;
}

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

function connectionFrom(options: GlobalOptions, env: NodeJS.ProcessEnv): Connection {
  const url = options.url ?? env.JOBKIT_URL ?? defaultUrl;
  const token = options.token ?? env.JOBKIT_TOKEN;
  if (!token) {
    throw new CliError('Set JOBKIT_TOKEN to an API token (the web app\'s "API tokens" page makes one), and JOBKIT_URL to the server (default http://127.0.0.1:3000).', exitCodes.denied);
  }
  return { url, token };
}

/**
 * Runs `jobkit <argv>` and answers its exit code; writes only to `terminal`. The whole command line
 * lives here, so tests run it in-process against a real server.
 */
export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, terminal: Terminal): Promise<ExitCode> {
  let context: CommandContext | undefined;
  let url = defaultUrl;
  /** Wraps a command: builds its context from the global options, then runs it. */
  const action =
    <Args extends unknown[]>(run: (context: CommandContext, ...args: Args) => Promise<void>) =>
    async (...args: Args) => {
      const connection = connectionFrom(program.opts<GlobalOptions>(), env);
      url = connection.url;
      context = { client: createJobkitClient(connection), terminal, json: program.opts<GlobalOptions>().json ?? false, exitCode: exitCodes.ok };
      await run(context, ...args);
    };

  const program = new Command('jobkit')
    .description('Look at and act on Jobkit jobs over its API (JOBKIT_URL, JOBKIT_TOKEN).')
    .option('--url <url>', `the server (default: JOBKIT_URL, else ${defaultUrl})`)
    .option('--token <token>', 'an API token (default: JOBKIT_TOKEN; the environment keeps it out of `ps`)')
    .option('--json', 'print JSON for scripts instead of text')
    .exitOverride()
    .configureOutput({ writeOut: (text) => terminal.stdout.write(text), writeErr: (text) => terminal.stderr.write(text) })
    .addHelpText('after', '\nExit codes: 0 done, 1 the job failed or was cancelled, 2 bad arguments or input, 3 no or bad token or not allowed, 4 not found, 5 refused (state, limit, setting), 6 server unreachable or failing.');

  const jobs = program.command('jobs').description('list, show, start, watch, retry and cancel jobs');
  jobs
    .command('list')
    .description("every user's jobs, newest first (an admin's token), or --mine")
    .addOption(new Option('--status <status>', 'only this status').choices(jobStatusSchema.options))
    .option('--kind <kind>', 'only this kind')
    .option('--owner <email>', "only this user's jobs")
    .option('--from <iso>', 'created at or after (ISO 8601)')
    .option('--to <iso>', 'created at or before (ISO 8601)')
    .option('--limit <n>', 'at most this many (1-100)', wholeNumber)
    .option('--cursor <id>', 'the page after this job (the "More:" line gives it)')
    .option('--mine', "only the token's own user's jobs (any user's token)")
    .action(
      action((ctx, options: { status?: (typeof jobStatusSchema.options)[number]; kind?: string; owner?: string; from?: string; to?: string; limit?: number; cursor?: string; mine?: boolean }) =>
        listCommand(ctx, { status: options.status, kind: options.kind, ownerEmail: options.owner, createdFrom: options.from, createdTo: options.to, limit: options.limit, cursor: options.cursor, mine: options.mine }),
      ),
    );
  jobs.command('show <jobId>').description('one job: attempts and progress history').action(action(showCommand));
  jobs
    .command('start <kind>')
    .description('start a job; prints its id')
    .requiredOption('--input <json>', 'the input: JSON, @file.json, or - for standard input')
    .option('--watch', 'then follow it until it ends')
    .option('--idempotency-key <key>', 'starting again with the same key returns the first job')
    .option('--priority <n>', 'higher runs first, -10 to 10', wholeNumber)
    .option('--notify-by-email', 'e-mail you when it finishes')
    .action(action(startCommand));
  jobs.command('watch <jobId>').description('a progress bar until the job ends; exits 1 unless it completed').action(action(watchCommand));
  jobs.command('retry <jobId>').description('queue a failed or cancelled job again').action(action(retryCommand));
  jobs.command('cancel <jobId>').description('cancel a queued job, or ask a running one to stop').action(action(cancelCommand));
  program.command('stats').description('jobs by status, and created in the last hour (an admin\'s token)').action(action(statsCommand));
  program.command('workers').description("the worker processes running now (an admin's token)").action(action(workersCommand));
  const schedules = program.command('schedules').description("recurring schedules: list, pause, resume (an admin's token)");
  schedules.command('list', { isDefault: true }).description('every schedule with its last and next tick').action(action(schedulesCommand));
  schedules.command('pause <name>').description('enqueue no tick until resumed').action(action((ctx, name: string) => setSchedulePausedCommand(ctx, name, true)));
  schedules.command('resume <name>').description('enqueue ticks again; its missed-ticks policy decides about the pause').action(action((ctx, name: string) => setSchedulePausedCommand(ctx, name, false)));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return context?.exitCode ?? exitCodes.ok;
  } catch (error) {
    // Help and version are "errors" to commander's exitOverride; its own messages are already written.
    if (error instanceof CommanderError) return error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
    const explained = explain(error, url);
    printNote(terminal, explained.message);
    return explained.exitCode;
  }
}
