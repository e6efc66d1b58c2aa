import type { AppRouter } from '@jobkit/api';
import { isTRPCClientError } from '@trpc/client';

/** What `jobkit` exits with, so scripts can tell outcomes apart (listed in README and `--help`). */
export const exitCodes = {
  ok: 0,
  /** `jobs watch` (or `start --watch`): the job ended failed or cancelled. */
  jobUnsuccessful: 1,
  /** Bad arguments, an unreadable input file, input the kind's schema refuses. */
  usage: 2,
  /** No token, a bad or revoked one, or one whose user may not do this. */
  denied: 3,
  notFound: 4,
  /** The server understood and said no: a conflict with the job's state, a limit, a missing setting. */
  refused: 5,
  /** The server could not be reached, or failed. */
  unavailable: 6,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A failure the CLI explains itself, in a sentence, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

const codeForTrpc: Record<string, ExitCode> = {
  BAD_REQUEST: exitCodes.usage,
  PARSE_ERROR: exitCodes.usage,
  UNAUTHORIZED: exitCodes.denied,
  FORBIDDEN: exitCodes.denied,
  NOT_FOUND: exitCodes.notFound,
  CONFLICT: exitCodes.refused,
  TOO_MANY_REQUESTS: exitCodes.refused,
  PRECONDITION_FAILED: exitCodes.refused,
  PAYLOAD_TOO_LARGE: exitCodes.refused,
};

/** The tRPC error code the server answered with, if it answered at all. */
export function trpcCodeOf(error: unknown): string | undefined {
  return isTRPCClientError<AppRouter>(error) ? error.data?.code : undefined;
}

/** Any failure as the sentence and exit code a person or a script gets. */
export function explain(error: unknown, url: string): CliError {
  if (error instanceof CliError) return error;
  const code = trpcCodeOf(error);
  if (isTRPCClientError(error) && code === undefined) {
    return new CliError(`Could not reach Jobkit at ${url} (${error.message}). Is the server running, and is JOBKIT_URL right?`, exitCodes.unavailable);
  }
  if (code === 'UNAUTHORIZED') {
    return new CliError('The server did not accept the token: set JOBKIT_TOKEN to a current API token (the web app\'s "API tokens" page makes one).', exitCodes.denied);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(code ? `${message} (${code})` : message, code ? (codeForTrpc[code] ?? exitCodes.unavailable) : exitCodes.unavailable);
}
