/**
 * How `useJob` gets its snapshots: from the `jobs.watchJob` stream (SSE) or by polling `getJob`.
 * Pure, so every rule is tested without a browser or a server:
 * - it starts with the stream and does not poll while the stream is up, so a job page that can
 *   stream costs no `getJob` request at all;
 * - a stream that does not open within `connectTimeoutMs` (a proxy that buffers, the route refused),
 *   that drops and does not come back within that time, or that fails for good, hands over to polling;
 * - while polling it tries the stream again after `retryStreamAfterMs`, or as soon as the tab is
 *   visible again; polling goes on during that try ("probing"), so a stream that is still broken
 *   costs no gap in updates, and only a stream that opened stops the polls;
 * - after `maxWatchMs` without the job finishing, it gives up (both off) until `resume`.
 * The time is always passed in, never read here.
 */
export interface StreamPolicy {
  connectTimeoutMs: number;
  retryStreamAfterMs: number;
  maxWatchMs: number;
}

export const defaultStreamPolicy: StreamPolicy = { connectTimeoutMs: 5000, retryStreamAfterMs: 60_000, maxWatchMs: 30 * 60_000 };

export type WatchMode = 'streaming' | 'probing' | 'polling' | 'gave-up';

export interface WatchState {
  mode: WatchMode;
  /** When watching started (or was resumed): the give-up clock. */
  watchingSince: number;
  /** When the current mode started. */
  since: number;
  /** Since when the stream has been waiting to open (or to reopen after a drop); null while it is open. */
  waitingSince: number | null;
}

export type WatchEvent =
  /** The stream opened, or delivered a snapshot: it is up. */
  | { type: 'open' }
  /** The stream lost its connection and is reconnecting by itself (EventSource retries). */
  | { type: 'reconnecting' }
  /** The stream stopped for good (an error it does not retry, or it ended before the job finished). */
  | { type: 'failed' }
  /** The tab became visible. */
  | { type: 'visible' }
  /** "Check again" after giving up. */
  | { type: 'resume' }
  /** Time passed: the deadlines are checked against `now`. */
  | { type: 'tick' };

export function initialWatch(now: number): WatchState {
  return { mode: 'streaming', watchingSince: now, since: now, waitingSince: now };
}

const streams = (mode: WatchMode) => mode === 'streaming' || mode === 'probing';

/** A stream that starts waits to open from now; polling waits for nothing. */
function enter(state: WatchState, mode: WatchMode, now: number): WatchState {
  return { ...state, mode, since: now, waitingSince: streams(mode) ? now : null };
}

export function nextWatch(state: WatchState, event: WatchEvent, now: number, policy: StreamPolicy = defaultStreamPolicy): WatchState {
  if (event.type === 'resume') return initialWatch(now);
  if (state.mode === 'gave-up') return state;
  if (now - state.watchingSince >= policy.maxWatchMs) return { ...state, mode: 'gave-up', since: now, waitingSince: null };
  const streamOn = streams(state.mode);
  switch (event.type) {
    case 'open':
      if (!streamOn) return state;
      return { ...state, mode: 'streaming', since: state.mode === 'probing' ? now : state.since, waitingSince: null };
    case 'reconnecting':
      if (!streamOn || state.waitingSince !== null) return state;
      return { ...state, waitingSince: now };
    case 'failed':
      return streamOn ? enter(state, 'polling', now) : state;
    case 'visible':
      return state.mode === 'polling' ? enter(state, 'probing', now) : state;
    case 'tick':
      if (streamOn && state.waitingSince !== null && now - state.waitingSince >= policy.connectTimeoutMs) return enter(state, 'polling', now);
      if (state.mode === 'polling' && now - state.since >= policy.retryStreamAfterMs) return enter(state, 'probing', now);
      return state;
  }
}

/** The next moment a `tick` can change the state, or null when only an event can. */
export function nextDeadline(state: WatchState, policy: StreamPolicy = defaultStreamPolicy): number | null {
  if (state.mode === 'gave-up') return null;
  const giveUp = state.watchingSince + policy.maxWatchMs;
  if (state.mode === 'polling') return Math.min(giveUp, state.since + policy.retryStreamAfterMs);
  if (state.waitingSince !== null) return Math.min(giveUp, state.waitingSince + policy.connectTimeoutMs);
  return giveUp;
}

/** Which transports run: nothing once the job finished or the answer cannot change by asking again. */
export function transports(state: WatchState, job: { finished: boolean; permanentError: boolean }): { subscribe: boolean; poll: boolean } {
  if (job.finished || job.permanentError || state.mode === 'gave-up') return { subscribe: false, poll: false };
  return { subscribe: state.mode !== 'polling', poll: state.mode !== 'streaming' };
}
