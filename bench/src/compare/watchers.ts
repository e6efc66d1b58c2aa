import { Child } from './children.ts';
import type { ChildMessage, WatchSpec } from './protocol.ts';

type Summary = Omit<Extract<ChildMessage, { type: 'watch-summary' }>, 'type'>;

/**
 * Watchers per process: a process's event loop then parses fewer streams when events come in
 * bursts, and each needs far fewer open files than the server (which holds them all) does.
 */
const watchersPerProcess = 5_000;
/** Streams waiting for their first event at once, per process: enough to keep the server busy. */
const connectingPerProcess = 50;

export interface OpenWatchers {
  /** Seconds from the first connect until every watcher had its first event (the slowest process's). */
  connectSeconds: number;
  /** Called for every event after a watcher's first, with its arrival time on the machine's clock; returns its removal. */
  onEvent(listener: (jobId: string, version: number, receivedAt: number) => void): () => void;
  /** Closes every stream; what the watchers heard, and which streams ended or failed early. */
  stop(): Promise<Summary>;
}

/**
 * `watchers` jobs.watchJob streams, opened by child processes (never by the benchmark, so the
 * measured server shares its process with nobody), watcher n on jobIds[n % jobIds.length].
 * Resolves once every one has received its job's first event.
 */
export async function openWatchers(options: { baseUrl: string; token: string; jobIds: readonly string[]; watchers: number; node: string }): Promise<OpenWatchers> {
  const processes = Math.max(1, Math.ceil(options.watchers / watchersPerProcess));
  const children = Array.from({ length: processes }, (_, index) => {
    const first = Math.floor((index * options.watchers) / processes);
    const spec: WatchSpec = {
      baseUrl: options.baseUrl,
      token: options.token,
      jobIds: [...options.jobIds],
      first,
      count: Math.floor(((index + 1) * options.watchers) / processes) - first,
      connecting: connectingPerProcess,
    };
    return new Child('./watch-child.ts', spec, options.node);
  });
  // Ten minutes: 10,000 first reads on a loaded two-core machine take a while, not that long.
  const watching = await Promise.all(children.map((child) => child.waitFor('watching', 600_000))).catch((error: unknown) => {
    for (const child of children) child.process.kill('SIGKILL');
    throw error;
  });
  const connectSeconds = Math.max(...watching.map((message) => message.seconds));
  let stopped: Promise<Summary> | undefined;
  return {
    connectSeconds,
    onEvent(listener) {
      const removals = children.map((child) =>
        child.on((message) => {
          if (message.type === 'watch-event') listener(message.jobId, message.version, message.receivedAt);
        }),
      );
      return () => {
        for (const remove of removals) remove();
      };
    },
    stop() {
      stopped ??= (async () => {
        const summaries = await Promise.all(
          children.map(async (child) => {
            try {
              const summary = child.waitFor('watch-summary', 60_000);
              child.send('stop');
              const result = await summary;
              await child.exited();
              return result;
            } catch (error) {
              child.process.kill('SIGKILL');
              throw error;
            }
          }),
        );
        return {
          events: summaries.reduce((sum, summary) => sum + summary.events, 0),
          pings: summaries.reduce((sum, summary) => sum + summary.pings, 0),
          lost: summaries.reduce((sum, summary) => sum + summary.lost, 0),
          lostReasons: summaries.map((summary) => summary.lostReasons).filter((reasons) => reasons !== '').join('; '),
        };
      })();
      return stopped;
    },
  };
}
