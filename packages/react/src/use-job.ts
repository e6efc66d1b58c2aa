import { isTerminalStatus, type JobKind, type JobSnapshot } from '@jobkit/jobs';
import { useQuery } from '@tanstack/react-query';
import { isTRPCClientError } from '@trpc/client';
import { getQueryKey } from '@trpc/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppRouter } from '@jobkit/api';
import { forgetActiveJob } from './active-jobs.ts';
import { defaultPollPolicy, nextPoll, type PollPolicy } from './poll-policy.ts';
import { defaultStreamPolicy, initialWatch, nextDeadline, nextWatch, transports, type StreamPolicy, type WatchEvent } from './stream-policy.ts';
import { trpc } from './trpc.ts';

export type JobOfKind<K extends JobKind> = Extract<JobSnapshot, { kind: K }>;

function isKind<K extends JobKind>(job: JobSnapshot, kind: K): job is JobOfKind<K> {
  return job.kind === kind;
}

function isFinished(job: JobSnapshot | undefined): boolean {
  return job !== undefined && isTerminalStatus(job.status);
}

/** 4xx answers (other than 408 and 429) will not change by asking again. */
function isPermanent(error: unknown): boolean {
  if (!isTRPCClientError<AppRouter>(error) || !error.data) return false;
  const status = error.data.httpStatus;
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export type JobPollState = 'loading' | 'polling' | 'finished' | 'error' | 'gave-up';

export interface UseJobResult<J> {
  job: J | undefined;
  state: JobPollState;
  /** How updates arrive right now: pushed by the stream, or polled (null once nothing is asked). */
  transport: 'stream' | 'poll' | null;
  /** What went wrong, in words; the last known job stays in `job`. */
  error: string | null;
  /** Watches again after giving up (or after an error). */
  resume: () => void;
}

export interface UseJobOptions {
  policy?: Partial<PollPolicy>;
  /** When to leave the stream for polling and come back (see stream-policy.ts); the give-up time is `policy.maxPollMs`. */
  stream?: Partial<Omit<StreamPolicy, 'maxWatchMs'>>;
}

/**
 * Follows one job until it finishes. It subscribes to `jobs.watchJob` first (SSE: each change is
 * pushed, and no `getJob` request is made while the stream is up); when the stream cannot open or
 * fails, it polls `jobs.getJob` as before and tries the stream again later (stream-policy.ts).
 * Polling backs off on network errors and recovers by itself, pauses in a hidden tab and polls at
 * once when it is visible again; after `policy.maxPollMs` the hook gives up with `state: 'gave-up'`.
 * Both write the same query cache entry, so the last known job survives every switch. With `kind`,
 * the job (and its result) has that kind's type; a job of another kind is reported as an error.
 */
export function useJob<K extends JobKind>(jobId: string, options: UseJobOptions & { kind: K }): UseJobResult<JobOfKind<K>>;
export function useJob(jobId: string, options?: UseJobOptions): UseJobResult<JobSnapshot>;
export function useJob(jobId: string, options: UseJobOptions & { kind?: JobKind } = {}): UseJobResult<JobSnapshot> {
  const policy = { ...defaultPollPolicy, ...options.policy };
  const { connectTimeoutMs, retryStreamAfterMs } = { ...defaultStreamPolicy, ...options.stream };
  const streamPolicy = useMemo<StreamPolicy>(
    () => ({ connectTimeoutMs, retryStreamAfterMs, maxWatchMs: policy.maxPollMs }),
    [connectTimeoutMs, retryStreamAfterMs, policy.maxPollMs],
  );
  const [watch, setWatch] = useState(() => initialWatch(Date.now()));
  // Bumped by every tick, so the deadline effect re-arms even when a tick changed nothing.
  const [ticks, setTicks] = useState(0);
  const send = useCallback(
    (event: WatchEvent) => {
      setWatch((current) => nextWatch(current, event, Date.now(), streamPolicy));
    },
    [streamPolicy],
  );
  const utils = trpc.useUtils();
  // The entry is getJob's own (its key), so the stream's setData and JobActions' invalidation
  // reach it; each poll sends the version it holds, and an unchanged job costs a few bytes.
  const query = useQuery({
    queryKey: getQueryKey(trpc.jobs.getJob, { jobId }, 'query'),
    queryFn: async ({ signal }): Promise<JobSnapshot> => {
      const held = utils.jobs.getJob.getData({ jobId });
      if (held === undefined) return utils.client.jobs.getJob.query({ jobId }, { signal });
      const poll = await utils.client.jobs.pollJob.query({ jobId, knownVersion: held.version }, { signal });
      return poll.changed ? poll.job : held;
    },
    retry: false,
    refetchOnWindowFocus: true,
    // The mode decides while the job runs; a permanent error stops the polls in refetchInterval.
    // A finished job's entry stays enabled but never stale, so it asks nothing by itself, yet an
    // invalidation (JobActions after a retry) still refetches it and the job is followed again.
    enabled: (q) => isFinished(q.state.data) || watch.mode === 'polling' || watch.mode === 'probing',
    staleTime: (q) => (isFinished(q.state.data) ? Infinity : 0),
    refetchInterval: (q) => {
      const decision = nextPoll(
        {
          finished: isFinished(q.state.data),
          failures: q.state.fetchFailureCount,
          permanentError: q.state.fetchFailureCount > 0 && isPermanent(q.state.error),
          elapsedMs: Date.now() - watch.watchingSince,
        },
        policy,
      );
      return decision.poll ? decision.delayMs : false;
    },
  });
  const job = query.data;
  const finished = isFinished(job);
  const permanentError = query.error !== null && isPermanent(query.error);
  const on = transports(watch, { finished, permanentError });

  // A reconnect that brings no snapshot (the job did not change meanwhile) is up only if this
  // subscription already delivered one: a proxy that buffers lets the connection open but no data.
  const streamDelivered = useRef(false);
  useEffect(() => {
    if (!on.subscribe) streamDelivered.current = false;
  }, [on.subscribe, jobId]);
  const stream = trpc.jobs.watchJob.useSubscription(
    { jobId },
    {
      enabled: on.subscribe,
      onStarted: () => {
        if (streamDelivered.current) send({ type: 'open' });
      },
      onData: ({ data: snapshot }) => {
        streamDelivered.current = true;
        // Never back to an older version (a poll answered during a probe may be newer).
        utils.jobs.getJob.setData({ jobId }, (previous) => (previous !== undefined && previous.version > snapshot.version ? previous : snapshot));
        send({ type: 'open' });
      },
      onError: () => {
        send({ type: 'failed' });
      },
      onComplete: () => {
        // The stream ends after a finished job; ending before that is a failure to recover from by polling.
        const latest = utils.jobs.getJob.getData({ jobId });
        if (latest === undefined || !isTerminalStatus(latest.status)) send({ type: 'failed' });
      },
    },
  );
  const streamStatus = stream.status;
  const streamError = stream.error !== null;
  useEffect(() => {
    if (streamStatus !== 'connecting') return;
    // useSubscription reports a dropped connection (EventSource reconnecting) only as this value, not
    // as a callback: the effect carries that outside state into the machine. A connection error
    // before the stream ever delivered (refused, blocked) is not worth waiting out: poll now.
    send({ type: streamError && !streamDelivered.current ? 'failed' : 'reconnecting' });
  }, [streamStatus, streamError, send]);

  // The stream's deadlines (open in time, retry after a while, give up) as one timer.
  useEffect(() => {
    if (finished) return;
    const deadline = nextDeadline(watch, streamPolicy);
    if (deadline === null) return;
    const timer = setTimeout(() => {
      send({ type: 'tick' });
      setTicks((n) => n + 1);
    }, Math.max(0, deadline - Date.now()));
    return () => {
      clearTimeout(timer);
    };
  }, [watch, ticks, finished, send, streamPolicy]);
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === 'visible') send({ type: 'visible' });
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [send]);

  useEffect(() => {
    if (finished) forgetActiveJob(jobId);
  }, [finished, jobId]);
  const { refetch } = query;
  const resume = useCallback(() => {
    send({ type: 'resume' });
    // After an error the stream is off (permanentError) until a poll succeeds: ask once.
    if (permanentError) void refetch();
  }, [send, refetch, permanentError]);

  const wrongKind = job !== undefined && options.kind !== undefined && !isKind(job, options.kind);
  let state: JobPollState = 'polling';
  if (finished) state = 'finished';
  else if (wrongKind || permanentError) state = 'error';
  else if (watch.mode === 'gave-up') state = 'gave-up';
  else if (job === undefined) state = query.error ? 'error' : 'loading';
  const error = wrongKind ? `Job ${jobId} is not a ${options.kind ?? ''} job.` : (query.error?.message ?? null);
  const transport = on.subscribe && watch.mode === 'streaming' ? 'stream' : on.poll ? 'poll' : null;
  return { job: wrongKind ? undefined : job, state, transport, error, resume };
}
