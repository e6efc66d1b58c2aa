import { z } from 'zod';
import { defineJob } from '@jobkit/contract';
import { boundedJson } from '@jobkit/contract';

const metadata = boundedJson({ maxDepth: 10, maxChars: 20_000 }).pipe(z.record(z.string().max(100), z.json()));

/**
 * Work done outside our workers, tracked through the same API: another system creates the job
 * (`jobs.createTracked`), reports progress and completes or fails it with its API token, and
 * `getJob`, `useJob` and the job viewer show it like any other. No worker ever claims it.
 */
export const trackedJob = defineJob({
  kind: 'tracked',
  version: 1,
  title: 'Tracked job',
  input: z.object({
    message: z.string().trim().min(1, 'Say what the job does').max(500),
    metadata: metadata.optional(),
  }),
  progress: metadata,
  output: boundedJson({ maxDepth: 32, maxChars: 1_000_000 }),
  /** Without a report for this long, the job fails: its reporter is presumed gone. */
  timeoutMs: 24 * 60 * 60 * 1000,
  maxAttempts: 1,
  internal: true,
});
