/**
 * When to ask for a job again. Pure, so every rule is tested without a browser:
 * - a finished job is not polled;
 * - failures back off exponentially up to a cap, and polling resumes by itself on success;
 * - an answer that will not change by asking again (the job is gone, or not ours) stops polling;
 * - a hidden tab does not poll (TanStack Query pauses intervals there and refetches on return);
 * - after `maxPollMs` the hook gives up and says so: the job itself keeps running on the server.
 */
export interface PollPolicy {
  intervalMs: number;
  maxBackoffMs: number;
  maxPollMs: number;
}

export const defaultPollPolicy: PollPolicy = { intervalMs: 1000, maxBackoffMs: 30_000, maxPollMs: 30 * 60_000 };

export interface PollState {
  finished: boolean;
  /** Consecutive failed polls since the last success. */
  failures: number;
  /** The last failure will not go away by retrying (4xx such as NOT_FOUND). */
  permanentError: boolean;
  /** Time spent polling so far. */
  elapsedMs: number;
}

export type PollDecision = { poll: true; delayMs: number } | { poll: false; reason: 'finished' | 'error' | 'gave-up' };

export function nextPoll(state: PollState, policy: PollPolicy = defaultPollPolicy): PollDecision {
  if (state.finished) return { poll: false, reason: 'finished' };
  if (state.permanentError) return { poll: false, reason: 'error' };
  if (state.elapsedMs >= policy.maxPollMs) return { poll: false, reason: 'gave-up' };
  const delayMs = state.failures === 0 ? policy.intervalMs : Math.min(policy.intervalMs * 2 ** state.failures, policy.maxBackoffMs);
  return { poll: true, delayMs };
}
