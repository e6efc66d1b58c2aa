import { setTimeout as sleep } from 'node:timers/promises';
import type { ChangeTicks } from './change-ticks.ts';
import type { JobStreamHub } from './hub.ts';
import { refuseIfDeaf } from './watch-job.ts';

export interface WatchListOptions<T> {
  hub: JobStreamHub;
  /** Taken before the first read, so a change between the two is never lost. */
  ticks: ChangeTicks;
  /** The list as the subscriber may see it now (under its own authorization). */
  read: () => Promise<T>;
  /** At most one read per this long, however busy the jobs: a list is read whole each time. */
  throttleMs: number;
  /** The query a client polls when this stream cannot run, named in the refusal. */
  pollInstead: string;
  signal: AbortSignal | undefined;
  /** Counts the stream against its user's quota (openStream); answers what to call when it closes. */
  countStream: () => () => void;
}

/**
 * A list's stream: the list at once, then again after its jobs change, at most once per
 * `throttleMs` (changes during the pause coalesce into one read after it). It never ends by itself;
 * the client closes it, or the server's maxDurationMs does and the client reconnects.
 */
export async function* watchList<T>(options: WatchListOptions<T>): AsyncGenerator<T, void> {
  const { hub, ticks, signal } = options;
  let release: (() => void) | undefined;
  try {
    release = options.countStream();
    await hub.ready;
    refuseIfDeaf(hub, options.pollInstead);
    do {
      yield await options.read();
      // Aborted: the loop's next() answers false at once.
      await sleep(options.throttleMs, undefined, { signal }).catch(() => undefined);
    } while (await ticks.next(signal));
  } finally {
    ticks.close();
    release?.();
  }
}
