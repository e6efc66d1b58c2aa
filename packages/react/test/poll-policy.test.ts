import { describe, expect, it } from 'vitest';
import { nextPoll, type PollState } from '../src/poll-policy.ts';

const policy = { intervalMs: 1000, maxBackoffMs: 8000, maxPollMs: 60_000 };
const running: PollState = { finished: false, failures: 0, permanentError: false, elapsedMs: 0 };

describe('nextPoll', () => {
  it('polls a queued or running job at the interval and stops once it finished', () => {
    expect(nextPoll(running, policy)).toEqual({ poll: true, delayMs: 1000 });
    expect(nextPoll({ ...running, finished: true }, policy)).toEqual({ poll: false, reason: 'finished' });
  });

  it('backs off exponentially on failures, capped, and is back to normal after a success', () => {
    const delays = [1, 2, 3, 4, 5].map((failures) => nextPoll({ ...running, failures }, policy));
    expect(delays).toEqual([2000, 4000, 8000, 8000, 8000].map((delayMs) => ({ poll: true, delayMs })));
    expect(nextPoll({ ...running, failures: 0 }, policy)).toEqual({ poll: true, delayMs: 1000 });
  });

  it('stops on an answer that asking again will not change, and gives up after the maximum time', () => {
    expect(nextPoll({ ...running, failures: 1, permanentError: true }, policy)).toEqual({ poll: false, reason: 'error' });
    expect(nextPoll({ ...running, elapsedMs: 60_000 }, policy)).toEqual({ poll: false, reason: 'gave-up' });
    expect(nextPoll({ ...running, elapsedMs: 59_999 }, policy)).toEqual({ poll: true, delayMs: 1000 });
  });
});
