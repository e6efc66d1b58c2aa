/** The handlers the drain script runs: jobs that do nothing, so what is measured is the queue. */
import { defineJob } from '@jobkit/contract';
import { z } from 'zod';
import { defineHandler, registerHandlers } from '../src/index.ts';

export const noop = defineJob({
  kind: 'noop',
  version: 1,
  title: 'No-op',
  input: z.object({}),
  progress: z.object({}),
  // When the handler started (ms since the epoch, sub-millisecond), for the pickup latency.
  output: z.object({ startedAt: z.number() }),
  timeoutMs: 10_000,
  maxAttempts: 3,
});

/** The same, run inline: on the worker's main thread. */
export const noopInline = defineJob({ ...noop, kind: 'noopInline' });

const startedAt = (): { startedAt: number } => ({ startedAt: performance.timeOrigin + performance.now() });

export const handlers = registerHandlers([
  defineHandler(noop, startedAt),
  defineHandler(noopInline, startedAt, { isolation: 'inline' }),
]);
