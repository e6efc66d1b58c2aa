import type { JobSnapshot } from '@jobkit/jobs';
import { describe, expectTypeOf, it } from 'vitest';
import type { RouterInputs, RouterOutputs } from '../src/index.ts';

describe('end-to-end types', () => {
  it('gives getJob a result typed by the job kind, with no casts', () => {
    type Job = RouterOutputs['jobs']['getJob'];
    expectTypeOf<Job>().toEqualTypeOf<JobSnapshot>();
    type Result = NonNullable<Extract<Job, { kind: 'documentAnalysis' }>['result']>;
    expectTypeOf<Result>().toMatchObjectType<{ wordCount: number; summary: { sentence: string; position: number }[] }>();
    expectTypeOf<Extract<Job, { kind: 'documentAnalysis' }>['result']>().extract<null>().toBeNull();
    expectTypeOf<Job['status']>().toEqualTypeOf<'queued' | 'running' | 'completed' | 'failed' | 'cancelled'>();
  });

  it('types start inputs from the kind’s input schema', () => {
    type Start = RouterInputs['analysis']['startDocumentAnalysis'];
    expectTypeOf<Start['input']>().toEqualTypeOf<{
      title?: string | undefined;
      text?: string | undefined;
      fileId?: string | undefined;
      summarySentences?: number | undefined;
    }>();
    expectTypeOf<RouterOutputs['analysis']['startDocumentAnalysis']['jobId']>().toBeString();
  });
});
