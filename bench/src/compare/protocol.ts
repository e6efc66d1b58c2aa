import { z } from 'zod';

/** What child processes (workers, load generator) tell the benchmark over IPC. */
export const childMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), node: z.string() }),
  z.object({ type: z.literal('probe'), key: z.number(), startedAt: z.number() }),
  z.object({ type: z.literal('stopped') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({
    type: z.literal('load'),
    requestsPerSecond: z.number(),
    p50: z.number(),
    p99: z.number(),
    ok: z.number(),
    /** Requests that got no 2xx answer: non-2xx statuses, connection errors and timeouts. */
    failed: z.number(),
    failures: z.string(),
    seconds: z.number(),
  }),
]);
export type ChildMessage = z.infer<typeof childMessage>;

/** What the load generator is told to do: one autocannon run until `stop` (or `seconds`). */
export const loadSpec = z.object({
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  token: z.string(),
  connections: z.int(),
  /** Request paths (with query) cycled round-robin over all connections. */
  paths: z.array(z.string()).min(1),
  body: z.string().optional(),
  /** Stops by itself after this long; without it, runs until told `stop`. */
  seconds: z.number().optional(),
});
export type LoadSpec = z.infer<typeof loadSpec>;
