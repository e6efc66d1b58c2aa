import { isTerminalStatus, type JobKind, type JobSnapshot } from '@jobkit/jobs';
import { isTRPCClientError } from '@trpc/client';
import { useCallback, useEffect, useState } from 'react';
import type { AppRouter } from '@jobkit/api';
import { forgetActiveJob } from './active-jobs.ts';
import { defaultPollPolicy, nextPoll, type PollPolicy } from './poll-policy.ts';
import { trpc } from './trpc.ts';

export type JobOfKind<K extends JobKind> = Extract<JobSnapshot, { kind: K }>;

function isKind<K extends JobKind>(job: JobSnapshot, kind: K): job is JobOfKind<K> {
  return job.kind === kind;
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
  /** What went wrong, in words; the last known job stays in `job`. */
  error: string | null;
  /** Polls again after giving up (or after an error). */
  resume: () => void;
}

/**
 * Follows one job until it finishes: polls `jobs.getJob` while it is queued or running, backs off
 * on network errors and recovers by itself, pauses in a hidden tab and polls at once when it is
 * visible again, and gives up after `policy.maxPollMs` with `state: 'gave-up'`. With `kind`, the
 * job (and its result) has that kind's type; a job of another kind is reported as an error.
 */
export function useJob<K extends JobKind>(jobId: string, options: { kind: K; policy?: Partial<PollPolicy> }): UseJobResult<JobOfKind<K>>;
export function useJob(jobId: string, options?: { policy?: Partial<PollPolicy> }): UseJobResult<JobSnapshot>;
export function useJob(jobId: string, options: { kind?: JobKind; policy?: Partial<PollPolicy> } = {}): UseJobResult<JobSnapshot> {
  const policy = { ...defaultPollPolicy, ...options.policy };
  const [pollingSince, setPollingSince] = useState(() => Date.now());
  const [gaveUp, setGaveUp] = useState(false);
  const query = trpc.jobs.getJob.useQuery(
    { jobId },
    {
      retry: false,
      refetchOnWindowFocus: true,
      refetchInterval: (q) => {
        const decision = nextPoll(
          {
            finished: q.state.data !== undefined && isTerminalStatus(q.state.data.status),
            failures: q.state.fetchFailureCount,
            permanentError: q.state.fetchFailureCount > 0 && isPermanent(q.state.error),
            elapsedMs: Date.now() - pollingSince,
          },
          policy,
        );
        return decision.poll ? decision.delayMs : false;
      },
    },
  );
  const job = query.data;
  const finished = job !== undefined && isTerminalStatus(job.status);
  useEffect(() => {
    if (finished) forgetActiveJob(jobId);
  }, [finished, jobId]);
  // The give-up moment, as state: polling stops by itself then (see nextPoll), and this says so.
  useEffect(() => {
    if (finished) return;
    const timer = setTimeout(() => {
      setGaveUp(true);
    }, Math.max(0, pollingSince + policy.maxPollMs - Date.now()));
    return () => {
      clearTimeout(timer);
    };
  }, [finished, pollingSince, policy.maxPollMs]);
  const { refetch } = query;
  const resume = useCallback(() => {
    setGaveUp(false);
    setPollingSince(Date.now());
    void refetch();
  }, [refetch]);

  const wrongKind = job !== undefined && options.kind !== undefined && !isKind(job, options.kind);
  let state: JobPollState = 'polling';
  if (finished) state = 'finished';
  else if (wrongKind || (query.error && isPermanent(query.error))) state = 'error';
  else if (gaveUp) state = 'gave-up';
  else if (job === undefined) state = query.error ? 'error' : 'loading';
  const error = wrongKind ? `Job ${jobId} is not a ${options.kind ?? ''} job.` : (query.error?.message ?? null);
  return { job: wrongKind ? undefined : job, state, error, resume };
}
