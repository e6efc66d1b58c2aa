import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  analysisContracts,
  boundedJson,
  defineJob,
  documentAnalysis,
  isJobKind,
  isTerminalStatus,
  jobContracts,
  jobStatuses,
  jobSnapshotSchema,
  maxDocumentLength,
  retryDelayMs,
  type JobInput,
  type JobOutput,
  type JobSnapshot,
} from '../src/index.ts';

const baseSpec = {
  version: 1,
  title: 'T',
  input: z.object({}),
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1000,
  maxAttempts: 1,
};

describe('defineJob', () => {
  it('refuses kinds and limits that would break storage or routing', () => {
    expect(() => defineJob({ ...baseSpec, kind: 'Bad Kind' })).toThrow(/camelCase/);
    expect(() => defineJob({ ...baseSpec, kind: 'ok', maxAttempts: 0 })).toThrow(/maxAttempts must be a positive integer/);
    expect(() => defineJob({ ...baseSpec, kind: 'ok', timeoutMs: 1.5 })).toThrow(/timeoutMs/);
  });

  it('defaults retention to 24 hours and retries to 1 s doubling up to 5 min', () => {
    const contract = defineJob({ ...baseSpec, kind: 'ok' });
    expect(contract.retentionMs).toBe(24 * 60 * 60 * 1000);
    expect(contract.backoff).toEqual({ initialDelayMs: 1000, maxDelayMs: 300_000 });
    expect(() => defineJob({ ...baseSpec, kind: 'ok', backoff: { initialDelayMs: 10, maxDelayMs: 5 } })).toThrow(/backoff/);
  });
});

describe('retryDelayMs', () => {
  const backoff = { initialDelayMs: 1000, maxDelayMs: 10_000 };

  it('doubles per attempt up to the cap, with the jitter keeping 50-100% of it', () => {
    const highest = () => 1 - Number.EPSILON;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(backoff, attempt, highest))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(backoff, attempt, () => 0))).toEqual([500, 1000, 2000, 4000, 5000]);
  });

  it('spreads retries of the same attempt apart', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(backoff, 3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(2000);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(4000);
  });
});

describe('the document analysis contract', () => {
  it('defaults the summary length and rejects empty or oversized text with readable messages', () => {
    expect(documentAnalysis.input.parse({ text: 'Hi.' })).toEqual({ text: 'Hi.', summarySentences: 3 });
    const empty = documentAnalysis.input.safeParse({ text: '  \n ' });
    expect(empty.error?.issues[0]?.message).toBe('Paste some text to analyse');
    const neither = documentAnalysis.input.safeParse({ title: 'Nothing' });
    expect(neither.error?.issues[0]).toMatchObject({ path: ['text'], message: 'Paste a text or upload a file (one of the two)' });
    const both = documentAnalysis.input.safeParse({ text: 'Hello.', fileId: '0198a0b0-0000-7000-8000-000000000000' });
    expect(both.error?.issues[0]?.message).toBe('Paste a text or upload a file (one of the two)');
    const huge = documentAnalysis.input.safeParse({ text: 'a'.repeat(maxDocumentLength + 1) });
    expect(huge.error?.issues[0]?.message).toMatch(/at most 500000 characters/);
  });

  it('types its input and output for every consumer', () => {
    expectTypeOf<JobInput<typeof documentAnalysis>>().toHaveProperty('text').toEqualTypeOf<string | undefined>();
    expectTypeOf<JobInput<typeof documentAnalysis>>().toHaveProperty('fileId').toEqualTypeOf<string | undefined>();
    expectTypeOf<JobOutput<typeof documentAnalysis>>().toHaveProperty('wordCount').toEqualTypeOf<number>();
  });
});

describe('the registry', () => {
  it('knows its kinds and nothing else', () => {
    // The analyses (whatever `pnpm gen:kind` has added), then the kinds the system itself runs.
    expect(Object.keys(jobContracts)).toEqual([...Object.keys(analysisContracts), 'webhookDelivery', 'emailNotification', 'tracked']);
    expect(Object.keys(analysisContracts)).toEqual(expect.arrayContaining(['documentAnalysis', 'callTranscriptAnalysis', 'llmAnalysis', 'datasetAnalysis']));
    expect(isJobKind('documentAnalysis')).toBe(true);
    expect(isJobKind('toString')).toBe(false);
  });

  it('parses a stored job into the snapshot of its kind, and rejects a result of the wrong shape', () => {
    const stored = {
      id: '01a20d87-e8be-72e6-8cfa-d7f1ef658a44',
      kind: 'documentAnalysis',
      payloadVersion: 1,
      status: 'running',
      progress: 40,
      progressMessage: 'Counting',
      progressData: { stage: 'counting', sentencesDone: 4, sentencesTotal: 10 },
      result: null,
      storedResult: null,
      error: null,
      attempt: 1,
      maxAttempts: 3,
      cancelRequested: false,
      createdAt: '2026-11-24T12:00:00.000Z',
      startedAt: '2026-11-24T12:00:01.000Z',
      finishedAt: null,
      updatedAt: '2026-11-24T12:00:02.000Z',
      version: 3,
    };
    const snapshot: JobSnapshot = jobSnapshotSchema.parse(stored);
    expect(snapshot.progressData).toEqual({ stage: 'counting', sentencesDone: 4, sentencesTotal: 10 });
    expect(jobSnapshotSchema.safeParse({ ...stored, result: { wordCount: 'many' } }).success).toBe(false);
    expect(jobSnapshotSchema.safeParse({ ...stored, kind: 'unknownKind' }).success).toBe(false);
  });

  it('tells which statuses end polling', () => {
    expect(jobStatuses.filter(isTerminalStatus)).toEqual(['completed', 'failed', 'cancelled']);
  });
});

describe('boundedJson', () => {
  it('refuses JSON too deep or too long with a message, without overflowing the stack', () => {
    const schema = boundedJson({ maxDepth: 5, maxChars: 50 });
    let deep: unknown = 'bottom';
    for (let level = 0; level < 100_000; level++) deep = [deep];
    expect(schema.safeParse(deep).error?.issues[0]?.message).toBe('JSON is nested at most 5 levels deep');
    expect(schema.safeParse({ text: 'x'.repeat(60) }).error?.issues[0]?.message).toBe('JSON is at most 50 characters');
    expect(schema.parse({ a: [1, { b: null }] })).toEqual({ a: [1, { b: null }] });
    expect(schema.safeParse(() => 1).success).toBe(false);
  });
});
