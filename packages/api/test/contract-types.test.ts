import type { callTranscriptAnalysis, datasetAnalysis, JobKind, JobSnapshot, StartableKind } from '@jobkit/jobs';
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { createCaller, RouterInputs, RouterOutputs } from '../src/index.ts';

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

type Analysis = RouterInputs['analysis'];

describe('start procedures derived from the registry', () => {
  it('has one start<Kind> per startable kind, and none for the kinds the system starts', () => {
    expectTypeOf<Analysis>().toHaveProperty('startCallTranscriptAnalysis');
    expectTypeOf<Analysis>().toHaveProperty('startDatasetAnalysis');
    expectTypeOf<Analysis>().toHaveProperty('startLlmAnalysis');
    // @ts-expect-error webhook deliveries are started by the database, not by callers
    expectTypeOf<Analysis['startWebhookDelivery']>().not.toBeNever();
    // @ts-expect-error finish e-mails likewise
    expectTypeOf<Analysis['startEmailNotification']>().not.toBeNever();
    // @ts-expect-error tracked jobs are created with jobs.createTracked
    expectTypeOf<Analysis['startTracked']>().not.toBeNever();
    // Every kind but the three the system starts: a kind added with `pnpm gen:kind` is startable without editing this.
    expectTypeOf<StartableKind>().toEqualTypeOf<Exclude<JobKind, 'webhookDelivery' | 'emailNotification' | 'tracked'>>();
    expectTypeOf<RouterOutputs['analysis']['kinds'][number]['kind']>().toEqualTypeOf<StartableKind>();
  });

  it('refuses a field of another kind’s input at start<Kind>', () => {
    const request: Analysis['startDocumentAnalysis'] = {
      // @ts-expect-error `format` belongs to the call transcript analysis, not the document one
      input: { text: 'Some text.', format: 'vtt' },
    };
    // @ts-expect-error the shared options keep their types too: `priority` is a number
    const badOption: Analysis['startLlmAnalysis'] = { input: { text: 'Some text.' }, priority: 'high' };
    expectTypeOf(request.input).not.toHaveProperty('format');
    expectTypeOf(badOption.priority).toEqualTypeOf<number | undefined>();
  });

  it('types a caller’s start<Kind> by that kind', () => {
    type Caller = ReturnType<typeof createCaller>['analysis'];
    expectTypeOf<Parameters<Caller['startDatasetAnalysis']>[0]['input']>().toEqualTypeOf<z.input<typeof datasetAnalysis.input>>();
    expectTypeOf<Awaited<ReturnType<Caller['startDatasetAnalysis']>>>().toEqualTypeOf<RouterOutputs['analysis']['startDatasetAnalysis']>();
    expectTypeOf<Parameters<Caller['startDatasetAnalysis']>[0]>().not.toHaveProperty('kind');
  });

  it('pairs each kind of a startMany batch with its own input', () => {
    type Item = Analysis['startMany']['jobs'][number];
    expectTypeOf<Item['kind']>().toEqualTypeOf<StartableKind>();
    expectTypeOf<Extract<Item, { kind: 'callTranscriptAnalysis' }>['input']>().toEqualTypeOf<z.input<typeof callTranscriptAnalysis.input>>();
    const items: Item[] = [
      { kind: 'llmAnalysis', input: { text: 'Fine.' } },
      // @ts-expect-error a document analysis input under the call transcript kind
      { kind: 'callTranscriptAnalysis', input: { summarySentences: 2 } },
    ];
    expectTypeOf(items).items.toHaveProperty('webhookEndpointId');
  });
});
