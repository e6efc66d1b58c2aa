import { sleepUntilWoken, type WakeSlot } from './wake.ts';

/**
 * "Something in this list changed": the signal behind the streams of lists (a user's active jobs,
 * the admin viewer), as opposed to a job's own stream, which carries the job. A tick carries no data
 * and ticks coalesce: however many changes come while a subscriber is busy, it wakes once, then
 * reads the list as it is. So a subscriber that reads slowly holds one flag, never a backlog.
 */
export interface ChangeTicks {
  /** Wakes, with `true`, once something changed since the last wake; `false` once closed or aborted. */
  next(signal?: AbortSignal): Promise<boolean>;
  close(): void;
}

interface Ticked extends WakeSlot {
  changed: boolean;
  closed: boolean;
}

/** Subscribers by topic: an owner's id, or `everything` for the admin viewer. */
export interface TickTopics {
  subscribe(topic: string): ChangeTicks;
  tick(topic: string): void;
  /** Every subscriber of every topic (after a reconnect, when announcements may have been missed). */
  tickAll(): void;
  closeAll(): void;
}

export function createTickTopics(): TickTopics {
  const topics = new Map<string, Set<Ticked>>();
  const wake = (ticked: Ticked) => {
    ticked.changed = true;
    ticked.wake?.();
  };
  return {
    tick(topic) {
      for (const ticked of topics.get(topic) ?? []) wake(ticked);
    },
    tickAll() {
      for (const subscribers of topics.values()) for (const ticked of subscribers) wake(ticked);
    },
    closeAll() {
      for (const subscribers of topics.values()) {
        for (const ticked of subscribers) {
          ticked.closed = true;
          ticked.wake?.();
        }
      }
      topics.clear();
    },
    subscribe(topic) {
      const ticked: Ticked = { changed: false, closed: false, wake: undefined };
      const subscribers = topics.get(topic) ?? new Set();
      topics.set(topic, subscribers.add(ticked));
      return {
        close() {
          ticked.closed = true;
          ticked.wake?.();
          subscribers.delete(ticked);
          if (subscribers.size === 0 && topics.get(topic) === subscribers) topics.delete(topic);
        },
        async next(signal) {
          // A change already held is handed over even to an aborted reader: it was asked for.
          for (;;) {
            if (ticked.changed) {
              ticked.changed = false;
              return true;
            }
            if (ticked.closed || signal?.aborted) return false;
            await sleepUntilWoken(ticked, signal);
          }
        },
      };
    },
  };
}
