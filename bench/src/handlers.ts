import { defineJob } from '@jobkit/jobs';
import { defineHandler, registerHandlers } from '@jobkit/worker';
import { handlers as productionHandlers } from '@jobkit/worker/handlers';
import { z } from 'zod';

/** A job that does nothing: what is left to measure is the queue itself. */
export const noop = defineJob({
  kind: 'noop',
  version: 1,
  title: 'No-op',
  input: z.object({ n: z.int() }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 10_000,
  maxAttempts: 1,
});

/** Reports when its handler started, on the wall clock every thread of the process shares. */
export const probe = defineJob({
  kind: 'probe',
  version: 1,
  title: 'Latency probe',
  input: z.object({}),
  progress: z.object({}),
  output: z.object({ handlerStartedAt: z.number() }),
  timeoutMs: 10_000,
  maxAttempts: 1,
});

export const handlers = registerHandlers([
  ...Object.values(productionHandlers),
  defineHandler(noop, () => ({})),
  defineHandler(probe, () => ({ handlerStartedAt: performance.timeOrigin + performance.now() })),
]);
