/**
 * The benchmark's job kinds for our worker. Loaded by the worker process and by every handler
 * thread, so it stays small: the production handlers (PDF, spreadsheets...) would only slow the
 * threads' start-up and have no part in what is measured.
 */
import { defineJob } from '@jobkit/jobs';
import { defineHandler, registerHandlers } from '@jobkit/worker';
import { BroadcastChannel } from 'node:worker_threads';
import { z } from 'zod';
import { wallClock } from './types.ts';

/** Handler threads report probe starts here; the worker process's main thread forwards them. */
export const probeChannelName = 'jobkit-bench-probe';
export const probeMessage = z.object({ key: z.number(), startedAt: z.number() });

/** A job that does nothing: what is left to measure is the queue itself. */
export const noop = defineJob({
  kind: 'noop',
  version: 1,
  title: 'No-op',
  input: z.object({ n: z.int() }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 60_000,
  maxAttempts: 1,
});

/** Reports when its handler started. */
export const probe = defineJob({
  kind: 'probe',
  version: 1,
  title: 'Latency probe',
  input: z.object({ key: z.int() }),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 60_000,
  maxAttempts: 1,
});

/** The same two, for the variant that runs them inline (`jobkit-inline-handlers.ts`). */
export const noopInline = defineJob({ ...noop, kind: 'noopInline' });
export const probeInline = defineJob({ ...probe, kind: 'probeInline' });

let channel: BroadcastChannel | undefined;

/** Tells the worker process's main thread when a probe's handler started (from any thread). */
export function reportStart({ input }: { input: { key: number } }): Record<string, never> {
  const startedAt = wallClock();
  if (!channel) {
    channel = new BroadcastChannel(probeChannelName);
    // The thread must stay free to exit when the pool is destroyed.
    channel.unref();
  }
  channel.postMessage({ key: input.key, startedAt });
  return {};
}

export const handlers = registerHandlers([defineHandler(noop, () => ({})), defineHandler(probe, reportStart)]);
