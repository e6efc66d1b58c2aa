import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** NOTIFY channel on which enqueues announce new jobs; the payload is the job's kind. */
export const jobsChannel = 'jobkit_jobs';
/** NOTIFY channel on which cancellations of running jobs are announced; the payload is the job id. */
export const cancelChannel = 'jobkit_cancel';
/**
 * NOTIFY channel on which every bump of a job's `version` is announced (a trigger on `job`, see the
 * job_change_notify migration); the payload is `<job id>:<version>`, never the job's data.
 */
export const jobChangesChannel = 'jobkit_job_changes';

export interface JobNotifications {
  /** Settles once the first LISTEN is in place and checked, or the first attempt failed (polling covers it). */
  ready: Promise<void>;
  /**
   * True once LISTEN was found not to hear notifications (behind a pooler in transaction mode it
   * succeeds, but the session it ran in is handed to other clients): then only polling finds jobs.
   */
  readonly pollOnly: boolean;
  close(): Promise<void>;
}

export interface JobEvents {
  /** A job of this kind was enqueued ('' after a reconnect: anything may have been). */
  onJob(kind: string): void;
  /** Cancellation of this running job was requested. */
  onCancel(jobId: string): void;
}

/** Whatever can send a NOTIFY: the listening client itself, or the pool the jobs are enqueued through. */
interface NotifySender {
  query(text: string, values: unknown[]): Promise<unknown>;
}

export interface ListenOptions {
  /** After the first LISTEN, a notification sent through here must arrive, or the listener gives up for polling. */
  pool?: NotifySender | undefined;
  /** How long that first check waits for its notification. Default 3 s. */
  checkTimeoutMs?: number | undefined;
  /**
   * How often the connection proves it is alive by a notification it sends itself; one that gets
   * no answer within half of this counts as dead and is replaced, and one that cannot connect and
   * LISTEN within the whole of it is given up and tried again. Default 10 s.
   */
  probeIntervalMs?: number | undefined;
  log?: ((message: string) => void) | undefined;
  /** Told each time LISTEN is in place again on a new connection after the last one was lost. */
  onReconnected?: (() => void) | undefined;
  /** What the log says is lost when LISTEN turns out deaf, and what to do about it. */
  deafHint?: string | undefined;
}

/** What a listener on channels of one's choice is told. */
export interface ChannelEvents {
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /**
   * LISTEN is in place on a new connection (the first, or one after a reconnect): whatever was
   * sent while no connection listened was missed.
   */
  onListening(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Listens for new jobs on a dedicated connection (LISTEN needs one session for its lifetime,
 * which a pool cannot promise). When the connection drops, it reconnects with a capped backoff;
 * jobs enqueued meanwhile are found by the workers' polling backstop, so a lost notification
 * delays a job but never loses it. A socket can also die without a word (a NAT or firewall drops
 * the flow, a pooler hangs): TCP keepalive and a periodic round trip of a notification catch that.
 */
export function listenForJobs(url: string, events: JobEvents, options: ListenOptions = {}): JobNotifications {
  return listenOnChannels(
    url,
    {
      channels: [jobsChannel, cancelChannel],
      onNotification(channel, payload) {
        if (channel === jobsChannel) events.onJob(payload);
        if (channel === cancelChannel && payload) events.onCancel(payload);
      },
      // Anything enqueued while we were not listening is due now. (A cancellation missed meanwhile
      // reaches the worker through its next heartbeat.)
      onListening: () => {
        events.onJob('');
      },
    },
    {
      deafHint:
        'polling for jobs instead. Set DATABASE_LISTEN_URL to a direct or session-mode URL of the same database for ' +
        'instant wake-ups; until then cancellations reach running jobs with their next heartbeat.',
      ...options,
    },
  );
}

/**
 * The connection listenForJobs uses, for any channels: one dedicated client, reconnected with a
 * capped backoff, proved alive by probes, and checked once for deafness behind a pooler.
 */
export function listenOnChannels(url: string, events: ChannelEvents, options: ListenOptions = {}): JobNotifications {
  const log =
    options.log ??
    ((message: string) => {
      console.warn(message);
    });
  const probeIntervalMs = options.probeIntervalMs ?? 10_000;
  // A channel of this listener's own, so its probes wake nobody else.
  const probeChannel = `jobkit_probe_${randomBytes(8).toString('hex')}`;
  const awaitedProbes = new Map<string, () => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let pollOnly = false;
  let checked = false;
  let probing = false;
  let retryDelayMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;

  /**
   * Sends a notification through `sender` and waits for it on the listening connection. The deadline
   * counts from the sender's answer (a busy pool is not a deaf LISTEN), or, when the sender is the
   * listening connection itself and so the suspect, from the start.
   */
  async function roundTrip(sender: NotifySender, timeoutMs: number, deadlineIncludesSend: boolean): Promise<'heard' | 'silent'> {
    const token = randomBytes(8).toString('hex');
    const heard = new Promise<'heard'>((resolve) => awaitedProbes.set(token, () => { resolve('heard'); }));
    let timer: NodeJS.Timeout | undefined;
    const deadline = () => new Promise<'silent'>((resolve) => (timer = setTimeout(() => { resolve('silent'); }, timeoutMs)));
    const send = () => sender.query('SELECT pg_notify($1, $2)', [probeChannel, token]);
    try {
      if (deadlineIncludesSend) return await Promise.race([send().then(() => heard), deadline()]);
      await send();
      return await Promise.race([heard, deadline()]);
    } finally {
      clearTimeout(timer);
      awaitedProbes.delete(token);
    }
  }

  /** Lets go of a connection at once, even one whose socket answers nothing (end() would wait for it). */
  function drop(current: pg.Client): void {
    current.removeAllListeners();
    current.on('error', () => undefined);
    current.connection.stream.destroy();
  }

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: url,
      application_name: 'jobkit-listen',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    next.on('notification', (message) => {
      if (message.channel === probeChannel) {
        if (message.payload) awaitedProbes.get(message.payload)?.();
      } else if (events.channels.includes(message.channel)) {
        events.onNotification(message.channel, message.payload ?? '');
      }
    });
    next.on('error', (error) => {
      log(`[listen] connection lost: ${error.message}`);
      scheduleReconnect();
    });
    next.on('end', scheduleReconnect);
    try {
      // A socket that goes silent before LISTEN answers would hold this attempt for ever: it gets
      // one probe interval.
      const giveUp = setTimeout(() => next.connection.stream.destroy(), probeIntervalMs);
      try {
        await next.connect();
        await next.query([...events.channels, probeChannel].map((channel) => `LISTEN ${channel}`).join('; '));
      } finally {
        clearTimeout(giveUp);
      }
      if (!checked && options.pool) {
        pollOnly = (await roundTrip(options.pool, options.checkTimeoutMs ?? 3_000, false)) === 'silent';
        checked = true;
      }
    } catch (error) {
      drop(next);
      throw error;
    }
    if (closed || pollOnly) {
      drop(next);
      if (pollOnly) {
        const where = new URL(url);
        log(
          `[listen] LISTEN on ${where.host}${where.pathname} does not hear notifications sent through the pool ` +
            `(a pooler in transaction mode?): ${options.deafHint ?? 'notifications on it are lost. Set DATABASE_LISTEN_URL to a direct or session-mode URL of the same database.'}`,
        );
      }
      return;
    }
    client = next;
    retryDelayMs = 100;
    events.onListening();
  };

  function scheduleReconnect(): void {
    if (closed || pollOnly || retryTimer) return;
    client = undefined;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().then(
        () => {
          if (!client) return;
          log('[listen] listening again');
          options.onReconnected?.();
        },
        (error: unknown) => {
          log(`[listen] reconnect failed: ${error instanceof Error ? error.message : String(error)}`);
          retryDelayMs = Math.min(retryDelayMs * 2, 5_000);
          scheduleReconnect();
        },
      );
    }, retryDelayMs);
  }

  async function probe(): Promise<void> {
    const current = client;
    if (!current || probing) return;
    probing = true;
    const timeoutMs = Math.floor(probeIntervalMs / 2);
    const outcome = await roundTrip(current, timeoutMs, true).catch((error: unknown) => error);
    probing = false;
    if (outcome === 'heard' || current !== client) return;
    const why = outcome === 'silent' ? `did not answer within ${timeoutMs} ms` : `failed (${String(outcome)})`;
    log(`[listen] the LISTEN connection's probe ${why}: reconnecting`);
    drop(current);
    scheduleReconnect();
  }
  const probeTimer = setInterval(() => void probe(), probeIntervalMs);
  probeTimer.unref();

  const ready = connect().catch((error: unknown) => {
    log(`[listen] could not connect: ${error instanceof Error ? error.message : String(error)}`);
    scheduleReconnect();
  });

  return {
    ready,
    get pollOnly() {
      return pollOnly;
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(probeTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        // A dead socket never confirms the end: give it a moment, then cut it.
        await Promise.race([current.end().catch(() => undefined), sleep(1_000)]);
        drop(current);
      }
    },
  };
}
