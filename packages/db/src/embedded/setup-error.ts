/**
 * A machine the embedded PostgreSQL cannot run on as it is set up (a folder that cannot be written
 * or reached): the message says what to do, so a command stops with it alone, not a stack trace.
 */
export class EmbeddedSetupError extends Error {
  override name = 'EmbeddedSetupError';
}

/**
 * For the entry points (`pnpm start`, `worker`, `user:create`, `db:migrate`): `bootDatabase(…).catch(exitOnSetupError)`
 * prints a setup error's sentences and exits 1; anything else is a bug and keeps its stack.
 */
export function exitOnSetupError(error: unknown): never {
  if (!(error instanceof EmbeddedSetupError)) throw error;
  console.error(error.message);
  process.exit(1);
}

/** Node's error code (`EACCES`, `EROFS`...), when `error` has one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'a read-only filesystem',
  ENOSPC: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a folder',
};

/** The filesystem errors a person can mend by choosing another folder, in words; undefined for others. */
export function folderProblem(error: unknown): string | undefined {
  const code = errorCode(error);
  return code === undefined ? undefined : reasons[code];
}
