import { findNewerQueuedVersions } from '@jobkit/queue';
import { type Database } from '@jobkit/db';
import { newestPayloadVersions, type HandlerRegistry } from './handler.ts';

const checkEveryMs = 10_000;

/**
 * Tells, once per kind and version, that this worker leaves queued jobs of a version newer than
 * its handlers read to a newer worker (its claims skip them: during a rolling deploy an old worker
 * must not fail a job the new API queued). Best effort: a failed look is tried at the next one.
 */
export function watchNewerPayloadVersions(pool: Database['pool'], handlers: HandlerRegistry, log: (message: string) => void): () => void {
  const newest = newestPayloadVersions(handlers);
  const told = new Set<string>();
  const check = async (): Promise<void> => {
    try {
      for (const { kind, payloadVersion } of await findNewerQueuedVersions(pool, newest)) {
        const key = `${kind}@${String(payloadVersion)}`;
        if (told.has(key)) continue;
        told.add(key);
        log(
          `queued ${kind} jobs of version ${String(payloadVersion)} are left to a newer worker: ` +
            `this one runs ${kind} up to version ${String(newest[kind])}`,
        );
      }
    } catch {
      // Only a log line depends on it; the next look will do.
    }
  };
  const timer = setInterval(() => void check(), checkEveryMs);
  timer.unref();
  void check();
  return () => {
    clearInterval(timer);
  };
}
