import type { analysisHandlers } from '@jobkit/analyses/handlers';
import { defineHandler, type JobHandler } from '@jobkit/worker';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  jobContracts,
  jobSnapshotSchema,
  startableContracts,
  startableKinds,
  startProcedureName,
  webhookDelivery,
  analysisContracts,
  type JobOutput,
  type JobSnapshot,
  type StartableKind,
} from '../src/index.ts';

// These tests are mostly read by tsc (`pnpm typecheck`): each `@ts-expect-error` marks a line that
// must not compile, and tsc reports one that compiles after all.

describe('the startable kinds', () => {
  it('are the registry’s kinds that are not internal, each with its start procedure name', () => {
    expect(startableKinds).toEqual(Object.keys(analysisContracts));
    expect(Object.keys(jobContracts).filter((kind) => !startableKinds.some((startable) => startable === kind))).toEqual([
      'webhookDelivery',
      'emailNotification',
      'tracked',
    ]);
    expect(startableKinds.map(startProcedureName)).toEqual(
      expect.arrayContaining(['startDocumentAnalysis', 'startCallTranscriptAnalysis', 'startLlmAnalysis', 'startDatasetAnalysis']),
    );
    expectTypeOf(startableContracts.llmAnalysis).toEqualTypeOf(jobContracts.llmAnalysis);
    expectTypeOf(startProcedureName('datasetAnalysis')).toEqualTypeOf<'startDatasetAnalysis'>();
    // @ts-expect-error webhook deliveries are started by the database, never by callers
    startProcedureName('webhookDelivery');
    // @ts-expect-error finish e-mails too
    startProcedureName('emailNotification');
    expectTypeOf<'tracked'>().not.toExtend<StartableKind>();
  });
});

describe('handlers are typed by their contract', () => {
  const deliveredAt = '2026-11-24T12:00:00.000Z';

  it('accepts a handler that returns its kind’s output', () => {
    const handler = defineHandler(webhookDelivery, () => ({ outcome: 'delivered' as const, httpStatus: 204, deliveredAt }));
    expectTypeOf(handler).toEqualTypeOf<JobHandler<typeof webhookDelivery>>();
    expect(handler.contract.kind).toBe('webhookDelivery');
  });

  it('refuses a handler whose output does not fit', () => {
    // @ts-expect-error `outcome` is the literal 'delivered'
    defineHandler(webhookDelivery, () => ({ outcome: 'sent' as const, httpStatus: 204, deliveredAt }));
    // @ts-expect-error `httpStatus` is missing
    defineHandler(webhookDelivery, async () => Promise.resolve({ outcome: 'delivered' as const, deliveredAt }));
    // @ts-expect-error `httpStatus` is a number, not the text of one
    defineHandler(webhookDelivery, () => ({ outcome: 'delivered' as const, httpStatus: '204', deliveredAt }));
  });
});

/** The handler record the analyses package keeps: one handler per analysis contract, each of its own kind. */
type HandlerPerAnalysis = { [Kind in keyof typeof analysisContracts]: JobHandler<(typeof analysisContracts)[Kind]> };
/** `Record` written with `satisfies Expected`: a type argument that does not fit is an error. */
type Satisfies<Record extends Expected, Expected> = Record;
type Handlers = typeof analysisHandlers;

describe('every analysis has its handler', () => {
  it('refuses a handler record missing a kind, or holding another kind’s handler', () => {
    expectTypeOf<Satisfies<Handlers, HandlerPerAnalysis>>().toEqualTypeOf<Handlers>();
    // @ts-expect-error the dataset analysis has no handler in this record
    expectTypeOf<Satisfies<Omit<Handlers, 'datasetAnalysis'>, HandlerPerAnalysis>>().not.toBeNever();
    // @ts-expect-error the LLM analysis's handler cannot run dataset analyses
    expectTypeOf<Satisfies<Omit<Handlers, 'datasetAnalysis'> & { datasetAnalysis: Handlers['llmAnalysis'] }, HandlerPerAnalysis>>().not.toBeNever();
  });
});

describe('a snapshot narrowed by kind', () => {
  const stored = {
    id: '01a20d87-e8be-72e6-8cfa-d7f1ef658a44',
    kind: 'documentAnalysis',
    payloadVersion: 1,
    status: 'queued',
    progress: 0,
    progressMessage: null,
    progressData: null,
    result: null,
    storedResult: null,
    error: null,
    attempt: 0,
    maxAttempts: 3,
    cancelRequested: false,
    createdAt: '2026-11-24T12:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    updatedAt: '2026-11-24T12:00:00.000Z',
    version: 1,
  };

  it('reads only its own kind’s result fields', () => {
    const job: JobSnapshot = jobSnapshotSchema.parse(stored);
    expect(job.kind).toBe('documentAnalysis');
    if (job.kind === 'documentAnalysis') {
      expectTypeOf(job.result).toEqualTypeOf<JobOutput<typeof jobContracts.documentAnalysis> | null>();
      expect(job.result?.wordCount).toBeUndefined();
      // @ts-expect-error `turns` is a call transcript's field, not a document analysis's
      expect(job.result?.turns).toBeUndefined();
    }
    if (job.kind === 'datasetAnalysis') {
      // @ts-expect-error a dataset analysis has no `wordCount`
      expect(job.result?.wordCount).toBeUndefined();
    }
    // @ts-expect-error before narrowing, `result` is the union: `wordCount` is not on every kind's
    expect(job.result?.wordCount).toBeUndefined();
  });
});
