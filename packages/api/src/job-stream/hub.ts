import { jobChangesChannel, listenOnChannels, type JobNotifications } from '@jobkit/queue';
import type { JobSnapshot } from '@jobkit/jobs';
import { createTickTopics, type ChangeTicks } from './change-ticks.ts';
import { sleepUntilWoken, type WakeSlot } from './wake.ts';

/** What a subscriber is handed: the job as it is now, or why there is no more to hand. */
export type JobDelivery =
  | { type: 'snapshot'; snapshot: JobSnapshot }
  /** The row is gone (deleted, or past its retention). */
  | { type: 'gone' }
  | { type: 'error'; error: unknown };

export interface JobSubscription {
  /**
   * The latest delivery not taken yet, or the next one; undefined once the signal aborts, the
   * subscription is closed or the hub closes. Only the latest is ever held: a subscriber that
   * takes slowly skips the snapshots in between (each is the whole job, so nothing is lost).
   */
  next(signal?: AbortSignal): Promise<JobDelivery | undefined>;
  close(): void;
}

export interface JobStreamHub {
  /** Settles once LISTEN is in place (or its first attempt failed): subscribe, await this, then read. */
  readonly ready: Promise<void>;
  /** LISTEN does not hear notifications here (a pooler in transaction mode): nothing can be streamed. */
  readonly deaf: boolean;
  subscribe(jobId: string): JobSubscription;
  /** Ticks when a job of this owner is added, changes or is deleted. */
  subscribeOwner(ownerId: string): ChangeTicks;
  /** Ticks when any job is added, changes or is deleted (the admin viewer). */
  subscribeEverything(): ChangeTicks;
  /** Snapshot reads the hub made (one per change of a watched job, however many watch it); for tests. */
  readonly reads: number;
  /** How many subscribers this job has here; for tests. */
  subscribers(jobId: string): number;
  close(): Promise<void>;
}

export interface JobStreamHubOptions {
  listenUrl: string;
  /** Reads one job by id, whoever owns it: every subscriber was authorized by its own first read. */
  read(jobId: string): Promise<JobSnapshot | undefined>;
  /** The pool the changes are written through, to check once that LISTEN hears them. */
  pool?: { query(text: string, values: unknown[]): Promise<unknown> } | undefined;
  log?: ((message: string) => void) | undefined;
}

interface Subscriber extends WakeSlot {
  held: JobDelivery | undefined;
  closed: boolean;
}

interface WatchedJob {
  subscribers: Set<Subscriber>;
  reading: boolean;
  /** The highest version announced for this job, and the version the last read returned. */
  announced: number;
  read: number;
  /** Read again whatever the versions say (after a reconnect, when announcements may have been missed). */
  forced: boolean;
}

/** `owner:<owner id>` announces that a list of that owner's jobs changed (20261202132857_job_owner_notify). */
const ownerPrefix = 'owner:';
/** The topic of every job; owner ids are UUIDs, so it cannot clash with one. */
const everything = 'everything';

/**
 * One LISTEN per server process on `jobkit_job_changes`, fanned out in memory. A notification
 * for a watched job starts one read of that job, whose snapshot goes to all its subscribers;
 * notifications that arrive while a read is in flight cause at most one more read, and only if
 * they announce a version newer than the one read. Nothing polls the database per subscriber.
 */
export function createJobStreamHub(options: JobStreamHubOptions): JobStreamHub {
  const watched = new Map<string, WatchedJob>();
  const lists = createTickTopics();
  let reads = 0;
  let closed = false;
  // Subscribers read once `ready` settles, with or without a LISTEN in place.
  let readySettled = false;

  function deliver(job: WatchedJob, delivery: JobDelivery): void {
    for (const subscriber of job.subscribers) {
      subscriber.held = delivery;
      subscriber.wake?.();
    }
  }

  /** Announcements (or a reconnect) came in that the last read may not have seen. */
  const due = (job: WatchedJob) => job.forced || job.announced > job.read;

  async function readFor(jobId: string, job: WatchedJob): Promise<void> {
    job.reading = true;
    try {
      // Loops while announcements newer than what was read came in during the read.
      do {
        job.forced = false;
        const wanted = job.announced;
        reads += 1;
        let delivery: JobDelivery;
        try {
          const snapshot = await options.read(jobId);
          delivery = snapshot ? { type: 'snapshot', snapshot } : { type: 'gone' };
          // A job that is gone or unreadable is not read again for the same announcements.
          job.read = snapshot ? Math.max(job.read, snapshot.version) : Math.max(job.read, wanted);
        } catch (error) {
          delivery = { type: 'error', error };
          job.read = Math.max(job.read, wanted);
        }
        if (closed || job.subscribers.size === 0) return;
        deliver(job, delivery);
      } while (due(job));
    } finally {
      job.reading = false;
    }
  }

  function changed(jobId: string, version: number | 'unknown'): void {
    const job = watched.get(jobId);
    if (!job || closed) return;
    if (version === 'unknown') job.forced = true;
    else job.announced = Math.max(job.announced, version);
    if (!job.reading && due(job)) void readFor(jobId, job);
  }

  const listener: JobNotifications = listenOnChannels(
    options.listenUrl,
    {
      channels: [jobChangesChannel],
      onNotification(_channel, payload) {
        if (payload.startsWith(ownerPrefix)) {
          lists.tick(payload.slice(ownerPrefix.length));
          lists.tick(everything);
          return;
        }
        const colon = payload.lastIndexOf(':');
        const version = Number(payload.slice(colon + 1));
        if (colon > 0 && Number.isInteger(version)) changed(payload.slice(0, colon), version);
      },
      onListening() {
        // After a reconnect (or a first connect that failed) any watched job may have changed
        // unheard: read each once more. At a first connect that works nobody has read yet.
        if (!readySettled) return;
        for (const jobId of watched.keys()) changed(jobId, 'unknown');
        lists.tickAll();
      },
    },
    {
      pool: options.pool,
      log: options.log,
      deafHint: 'jobs.watchJob streams nothing here and clients poll getJob instead. Set DATABASE_LISTEN_URL to a direct or session-mode URL of the same database.',
    },
  );

  const ready = listener.ready.then(() => {
    readySettled = true;
  });

  return {
    ready,
    get deaf() {
      return listener.pollOnly;
    },
    get reads() {
      return reads;
    },
    subscribers: (jobId) => watched.get(jobId)?.subscribers.size ?? 0,
    subscribeOwner: (ownerId) => lists.subscribe(ownerId),
    subscribeEverything: () => lists.subscribe(everything),
    subscribe(jobId) {
      let job = watched.get(jobId);
      if (!job) {
        job = { subscribers: new Set(), reading: false, announced: 0, read: 0, forced: false };
        watched.set(jobId, job);
      }
      const subscriber: Subscriber = { held: undefined, wake: undefined, closed: closed };
      job.subscribers.add(subscriber);
      const watch = job;
      const close = () => {
        subscriber.closed = true;
        subscriber.wake?.();
        watch.subscribers.delete(subscriber);
        if (watch.subscribers.size === 0 && watched.get(jobId) === watch) watched.delete(jobId);
      };
      return {
        close,
        async next(signal) {
          while (!subscriber.closed && !signal?.aborted) {
            const held = subscriber.held;
            if (held) {
              subscriber.held = undefined;
              return held;
            }
            await sleepUntilWoken(subscriber, signal);
          }
          return undefined;
        },
      };
    },
    async close() {
      closed = true;
      for (const job of watched.values()) {
        for (const subscriber of job.subscribers) {
          subscriber.closed = true;
          subscriber.wake?.();
        }
      }
      watched.clear();
      lists.closeAll();
      await listener.close();
    },
  };
}
