import pg from 'pg';

/** NOTIFY channel on which enqueues announce new jobs; the payload is the job's kind. */
export const jobsChannel = 'jobkit_jobs';
/** NOTIFY channel on which cancellations of running jobs are announced; the payload is the job id. */
export const cancelChannel = 'jobkit_cancel';

export interface JobNotifications {
  /** Settles once the first LISTEN is in place, or the first attempt failed (polling covers it). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens for new jobs on a dedicated connection (LISTEN needs one session for its lifetime,
 * which a pool cannot promise). When the connection drops, it reconnects with a capped backoff;
 * jobs enqueued meanwhile are found by the workers' polling backstop, so a lost notification
 * delays a job but never loses it.
 */
export interface JobEvents {
  /** A job of this kind was enqueued ('' after a reconnect: anything may have been). */
  onJob(kind: string): void;
  /** Cancellation of this running job was requested. */
  onCancel(jobId: string): void;
}

export function listenForJobs(
  url: string,
  events: JobEvents,
  log: (message: string) => void = (message) => {
    console.warn(message);
  },
): JobNotifications {
  let client: pg.Client | undefined;
  let closed = false;
  let retryDelayMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      if (message.channel === jobsChannel) events.onJob(message.payload ?? '');
      if (message.channel === cancelChannel && message.payload) events.onCancel(message.payload);
    });
    next.on('error', (error) => {
      log(`[listen] connection lost: ${error.message}`);
      scheduleReconnect();
    });
    next.on('end', scheduleReconnect);
    try {
      await next.connect();
      await next.query(`LISTEN ${jobsChannel}; LISTEN ${cancelChannel}`);
    } catch (error) {
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    retryDelayMs = 100;
    // Anything enqueued while we were not listening is due now. (A cancellation missed meanwhile
    // reaches the worker through its next heartbeat.)
    events.onJob('');
  };

  function scheduleReconnect(): void {
    if (closed || retryTimer) return;
    client = undefined;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch((error: unknown) => {
        log(`[listen] reconnect failed: ${error instanceof Error ? error.message : String(error)}`);
        retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
        scheduleReconnect();
      });
    }, retryDelayMs);
  }

  const ready = connect().catch((error: unknown) => {
    log(`[listen] could not connect: ${error instanceof Error ? error.message : String(error)}`);
    scheduleReconnect();
  });

  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => undefined);
      }
    },
  };
}
