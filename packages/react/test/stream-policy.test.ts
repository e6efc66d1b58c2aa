import { describe, expect, it } from 'vitest';
import { initialWatch, nextDeadline, nextWatch, transports, type WatchEvent, type WatchState } from '../src/stream-policy.ts';

const policy = { connectTimeoutMs: 4000, retryStreamAfterMs: 60_000, maxWatchMs: 30 * 60_000 };
const running = { finished: false, permanentError: false };

/** Replays events at the given times from a fresh watch started at 0. */
function replay(...steps: [number, WatchEvent['type']][]): WatchState {
  return steps.reduce((state, [at, type]) => nextWatch(state, { type }, at, policy), initialWatch(0));
}

describe('stream policy', () => {
  it('starts with the stream alone: no poll while it opens or once it is up', () => {
    const start = initialWatch(0);
    expect(start.mode).toBe('streaming');
    expect(transports(start, running)).toEqual({ subscribe: true, poll: false });
    const up = replay([200, 'open']);
    expect(up).toMatchObject({ mode: 'streaming', waitingSince: null });
    expect(transports(up, running)).toEqual({ subscribe: true, poll: false });
    // An open stream has only the give-up deadline, and no tick before it changes anything.
    expect(nextDeadline(up, policy)).toBe(policy.maxWatchMs);
    expect(nextWatch(up, { type: 'tick' }, 10 * 60_000, policy)).toBe(up);
  });

  it('polls when the stream does not open in time (a buffering proxy, the route refused)', () => {
    expect(nextDeadline(initialWatch(0), policy)).toBe(4000);
    expect(replay([3999, 'tick']).mode).toBe('streaming');
    const polling = replay([4000, 'tick']);
    expect(polling).toMatchObject({ mode: 'polling', since: 4000, waitingSince: null });
    expect(transports(polling, running)).toEqual({ subscribe: false, poll: true });
  });

  it('polls at once when the stream fails for good, or ends before the job finished', () => {
    expect(replay([100, 'failed']).mode).toBe('polling');
    expect(replay([100, 'open'], [5000, 'failed'])).toMatchObject({ mode: 'polling', since: 5000 });
  });

  it('rides out a short drop (EventSource reconnects by itself) but not a long one', () => {
    const dropped = replay([100, 'open'], [10_000, 'reconnecting']);
    expect(dropped).toMatchObject({ mode: 'streaming', waitingSince: 10_000 });
    expect(transports(dropped, running)).toEqual({ subscribe: true, poll: false });
    expect(replay([100, 'open'], [10_000, 'reconnecting'], [11_000, 'open'], [20_000, 'tick']).mode).toBe('streaming');
    expect(replay([100, 'open'], [10_000, 'reconnecting'], [14_000, 'tick']).mode).toBe('polling');
    // A second "reconnecting" does not restart the clock.
    expect(replay([100, 'open'], [10_000, 'reconnecting'], [12_000, 'reconnecting'], [14_000, 'tick']).mode).toBe('polling');
  });

  it('tries the stream again after a while, polling on until it opens', () => {
    const polling = replay([4000, 'tick']);
    expect(nextDeadline(polling, policy)).toBe(64_000);
    const probing = nextWatch(polling, { type: 'tick' }, 64_000, policy);
    expect(probing).toMatchObject({ mode: 'probing', since: 64_000, waitingSince: 64_000 });
    expect(transports(probing, running)).toEqual({ subscribe: true, poll: true });
    const back = nextWatch(probing, { type: 'open' }, 64_500, policy);
    expect(back).toMatchObject({ mode: 'streaming', since: 64_500, waitingSince: null });
    expect(transports(back, running)).toEqual({ subscribe: true, poll: false });
    // Still broken: back to polling, and the next try a full interval later.
    const again = nextWatch(probing, { type: 'tick' }, 68_000, policy);
    expect(again).toMatchObject({ mode: 'polling', since: 68_000 });
    expect(nextDeadline(again, policy)).toBe(128_000);
  });

  it('tries the stream again when the tab becomes visible', () => {
    expect(replay([4000, 'tick'], [9000, 'visible']).mode).toBe('probing');
    // A visible tab changes nothing for a stream that is up or still opening.
    expect(replay([100, 'open'], [9000, 'visible']).mode).toBe('streaming');
    expect(replay([100, 'visible'])).toEqual(initialWatch(0));
  });

  it('ignores stream news while polling (a late callback of a stream already closed)', () => {
    const polling = replay([4000, 'tick']);
    expect(nextWatch(polling, { type: 'open' }, 5000, policy)).toBe(polling);
    expect(nextWatch(polling, { type: 'reconnecting' }, 5000, policy)).toBe(polling);
    expect(nextWatch(polling, { type: 'failed' }, 5000, policy)).toBe(polling);
  });

  it('gives up after the maximum time, streaming or polling, until resumed', () => {
    const streaming = replay([100, 'open']);
    const gaveUp = nextWatch(streaming, { type: 'tick' }, policy.maxWatchMs, policy);
    expect(gaveUp.mode).toBe('gave-up');
    expect(transports(gaveUp, running)).toEqual({ subscribe: false, poll: false });
    expect(nextDeadline(gaveUp, policy)).toBeNull();
    expect(nextWatch(gaveUp, { type: 'visible' }, policy.maxWatchMs + 1, policy)).toBe(gaveUp);
    expect(nextWatch(replay([4000, 'tick']), { type: 'tick' }, policy.maxWatchMs, policy).mode).toBe('gave-up');
    expect(nextWatch(gaveUp, { type: 'resume' }, 40 * 60_000, policy)).toEqual(initialWatch(40 * 60_000));
  });

  it('asks nothing once the job finished or the answer cannot change', () => {
    for (const state of [initialWatch(0), replay([4000, 'tick']), replay([4000, 'tick'], [9000, 'visible'])]) {
      expect(transports(state, { finished: true, permanentError: false })).toEqual({ subscribe: false, poll: false });
      expect(transports(state, { finished: false, permanentError: true })).toEqual({ subscribe: false, poll: false });
    }
  });
});
