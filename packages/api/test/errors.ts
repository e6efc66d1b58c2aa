import { TRPCError } from '@trpc/server';

/** The TRPCError a call rejects with; fails the test if it resolves or throws anything else. */
export async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}
