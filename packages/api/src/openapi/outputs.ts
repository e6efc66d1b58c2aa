import { jobSnapshotSchema, jobStatusSchema } from '@jobkit/jobs';
import { z } from 'zod';

/**
 * What the public procedures answer, as zod schemas for the OpenAPI document. The procedures'
 * answers are inferred from their code; test/openapi-types.test.ts checks, at type-check time,
 * that each schema's type is exactly the router's, so this cannot drift from what is sent.
 */
const timestamp = z.iso.datetime({ offset: true });
const jobId = z.uuid();

export const jobSnapshotOutput = jobSnapshotSchema.meta({ id: 'JobSnapshot', description: 'A job with its typed progress and result, discriminated by kind.' });

export const startedJobOutput = z
  .object({
    jobId,
    status: jobStatusSchema,
    /** False when an earlier start with the same idempotency key is answered instead. */
    created: z.boolean(),
  })
  .meta({ id: 'StartedJob' });

export const startManyOutput = z.object({ jobs: z.array(startedJobOutput) });

export const jobPollOutput = z.discriminatedUnion('changed', [
  z.object({ changed: z.literal(false), version: z.int() }),
  z.object({ changed: z.literal(true), job: jobSnapshotOutput }),
]);

export const jobListOutput = z.object({
  items: z.array(
    z.object({
      id: jobId,
      kind: z.string(),
      title: z.string(),
      status: jobStatusSchema,
      progress: z.int(),
      progressMessage: z.string().nullable(),
      attempt: z.int(),
      createdAt: timestamp,
      finishedAt: timestamp.nullable(),
    }),
  ),
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: z.uuid().nullable(),
});

export const cancelOutput = z.union([
  z.object({ jobId, status: z.literal('cancelled') }),
  z.object({ jobId, status: z.literal('running'), cancelRequested: z.literal(true) }),
]);

export const retryOutput = z.object({ jobId, status: z.literal('queued') });

export const trackedCreatedOutput = z.object({ jobId, status: z.literal('running') });
export const trackedProgressOutput = z.object({ jobId, cancelRequested: z.boolean() });
export const trackedCompletedOutput = z.object({ jobId, status: z.literal('completed') });
export const trackedFailedOutput = z.object({ jobId, status: z.enum(['queued', 'failed']) });

/** Every refusal, in tRPC's error envelope: `data.code` is the code to branch on. */
export const errorOutput = z
  .object({
    error: z.object({
      message: z.string(),
      /** The JSON-RPC number tRPC derives from `data.code`. */
      code: z.int(),
      data: z.object({
        code: z.string(),
        httpStatus: z.int(),
        path: z.string().optional(),
        /** For invalid input: each field and what is wrong with it. */
        issues: z.array(z.object({ path: z.string(), message: z.string() })).nullable(),
      }),
    }),
  })
  .meta({ id: 'Error' });
