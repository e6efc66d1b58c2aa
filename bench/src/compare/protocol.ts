import { z } from 'zod';

/** What child processes (workers, load generator, watchers) tell the benchmark over IPC. */
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
  /** Every watcher of a watcher process has its stream open and the job's first event in hand. */
  z.object({ type: z.literal('watching'), watchers: z.number(), seconds: z.number() }),
  /** A job event after a watcher's first, stamped on arrival (wallClock, the machine's clock). */
  z.object({ type: z.literal('watch-event'), jobId: z.string(), version: z.number(), receivedAt: z.number() }),
  /** Sent on `stop`: what the watchers heard, and the streams that ended or failed before it. */
  z.object({ type: z.literal('watch-summary'), events: z.number(), pings: z.number(), lost: z.number(), lostReasons: z.string() }),
]);
export type ChildMessage = z.infer<typeof childMessage>;

/** What a watcher process is told: open `count` jobs.watchJob streams and hold them until `stop`. */
export const watchSpec = z.object({
  baseUrl: z.string(),
  token: z.string(),
  /** Watcher n, counted over every watcher process of a measurement, watches jobIds[n % length]. */
  jobIds: z.array(z.string()).min(1),
  /** This process's watchers are numbers first … first + count - 1. */
  first: z.int(),
  count: z.int(),
  /** At most this many streams waiting for their first event at once: a paced connect, not a SYN flood. */
  connecting: z.int(),
});
export type WatchSpec = z.infer<typeof watchSpec>;

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
