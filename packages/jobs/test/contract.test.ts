import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineJob,
  documentAnalysis,
  isJobKind,
  isTerminalStatus,
  jobContracts,
  jobStatuses,
  jobSnapshotSchema,
  maxDocumentLength,
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

  it('defaults retention to 24 hours', () => {
    expect(defineJob({ ...baseSpec, kind: 'ok' }).retentionMs).toBe(24 * 60 * 60 * 1000);
  });
});

describe('the document analysis contract', () => {
  it('defaults the summary length and rejects empty or oversized text with readable messages', () => {
    expect(documentAnalysis.input.parse({ text: 'Hi.' })).toEqual({ text: 'Hi.', summarySentences: 3 });
    const empty = documentAnalysis.input.safeParse({ text: '  \n ' });
    expect(empty.error?.issues[0]?.message).toBe('Paste some text to analyse');
    const huge = documentAnalysis.input.safeParse({ text: 'a'.repeat(maxDocumentLength + 1) });
    expect(huge.error?.issues[0]?.message).toMatch(/at most 500000 characters/);
  });

  it('types its input and output for every consumer', () => {
    expectTypeOf<JobInput<typeof documentAnalysis>>().toHaveProperty('text').toEqualTypeOf<string>();
    expectTypeOf<JobOutput<typeof documentAnalysis>>().toHaveProperty('wordCount').toEqualTypeOf<number>();
  });
});

describe('the registry', () => {
  it('knows its kinds and nothing else', () => {
    expect(Object.keys(jobContracts)).toEqual(['documentAnalysis']);
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
