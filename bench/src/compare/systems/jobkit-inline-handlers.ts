/**
 * The benchmark's kinds for the variant of our worker whose handlers run inline, on the worker's
 * main thread (no handler threads are started): how graphile-worker and pg-boss run theirs.
 */
import { defineHandler, registerHandlers } from '@jobkit/worker';
import { noopInline, probeInline, reportStart } from './jobkit-handlers.ts';

export const handlers = registerHandlers([
  defineHandler(noopInline, () => ({}), { isolation: 'inline' }),
  defineHandler(probeInline, reportStart, { isolation: 'inline' }),
]);
