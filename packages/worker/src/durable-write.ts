import { setTimeout as sleep } from 'node:timers/promises';

/**
 * SQLSTATE classes that blame the statement's own data or text (22 data exception, 23 integrity,
 * 42 syntax or unknown name, 54 program limit): the same write fails again however often it is
 * tried. Every other error (a connection refused, reset or terminated, the server shutting down or
 * starting up, too many connections, a serialization failure, a pool timeout) may pass next time.
 */
const statementAtFault = new Set(['22', '23', '42', '54']);

export function isStatementAtFault(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error) || typeof error.code !== 'string') return false;
  return /^[0-9A-Z]{5}$/.test(error.code) && statementAtFault.has(error.code.slice(0, 2));
}

const firstDelayMs = 50;
const maxDelayMs = 1_000;
/** A write the database refuses for its own sake is tried this many times, in case of a fluke. */
const triesAtFault = 3;

export type WriteOutcome<T> = { written: true; value: T } | { written: false; error: unknown };

/**
 * Tries `write` until it succeeds, with capped exponential backoff (jittered), for as long as
 * `deadline()` (a `performance.now()` time, read again before every try: a heartbeat may move it)
 * has not passed. `onFirstFailure` hears the first error only, so an outage is one log line a write.
 */
export async function persistently<T>(
  write: () => Promise<T>,
  deadline: () => number,
  onFirstFailure: (error: unknown) => void,
): Promise<WriteOutcome<T>> {
  let failures = 0;
  let faultyTries = 0;
  for (;;) {
    try {
      return { written: true, value: await write() };
    } catch (error) {
      failures++;
      if (failures === 1) onFirstFailure(error);
      if (isStatementAtFault(error) && ++faultyTries >= triesAtFault) return { written: false, error };
      const delay = Math.min(maxDelayMs, firstDelayMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
      if (performance.now() + delay > deadline()) return { written: false, error };
      await sleep(delay);
    }
  }
}
