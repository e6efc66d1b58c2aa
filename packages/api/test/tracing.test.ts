import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createTestDatabase, createTestUser, type TestDatabase } from '@jobkit/db/testing';
import { endedJob, waitFor, withWorker } from '@jobkit/worker/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaller, createInnerContext } from '../src/index.ts';
import { errorOf } from './errors.ts';
import { failOnPurpose } from './fixtures/traced-handlers.ts';

// The SDK is registered here only (each test file runs in a process of its own): what an app that
// wants traces does at its start. tracing-off.test.ts runs the same path with none.
const handlersModule = new URL('./fixtures/traced-handlers.ts', import.meta.url).href;
const workerId = 'traced-worker';
// Generous, for a loaded machine: a test waits for its jobs' ends (up to 60 s each), then their spans (30 s).
const testBoundMs = 180_000;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let db: TestDatabase;
let caller: ReturnType<typeof createCaller>;

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  db = await createTestDatabase();
  const userId = await createTestUser(db);
  caller = createCaller(createInnerContext({ db, actor: { userId, role: 'user' } }));
});
afterAll(async () => {
  trace.disable();
  propagation.disable();
  await provider.shutdown();
  await db.drop();
});

const carries = (span: ReadableSpan, name: string, jobId: string): boolean => {
  const ids = span.attributes['jobkit.job.ids'];
  return span.name === name && (span.attributes['jobkit.job.id'] === jobId || (Array.isArray(ids) && Array.from<unknown>(ids).includes(jobId)));
};

/** The job's enqueue, claim, run and end spans, once all four are exported. */
function spansOf(jobId: string) {
  const exported = () => {
    const spans = exporter.getFinishedSpans();
    const [enqueue, claim, run, end] = ['jobkit.enqueue', 'jobkit.claim', 'jobkit.run', 'jobkit.end'].map((name) =>
      spans.find((span) => carries(span, name, jobId)),
    );
    return enqueue && claim && run && end ? { enqueue, claim, run, end } : undefined;
  };
  return waitFor(() => Promise.resolve(exported()), 30_000).catch((error: unknown) => {
    const names = exporter.getFinishedSpans().map((span) => span.name);
    throw new Error(`the four spans of job ${jobId} were not all exported; spans exported: ${names.join(', ')}`, { cause: error });
  });
}

const sameSpan = (a: { traceId: string; spanId: string } | undefined, b: { traceId: string; spanId: string }) =>
  a?.traceId === b.traceId && a.spanId === b.spanId;

describe('traces with an SDK registered', () => {
  it('a started job has enqueue → claim → run → end spans, the run linked to the enqueue by the stored traceparent', async () => {
    const { jobId } = await caller.analysis.startPiiScan({ input: { text: 'Nothing personal here.' } });
    await withWorker({ database: db, handlersModule, workerId }, async () => {
      expect((await endedJob(db, jobId)).status).toBe('completed');
      const { enqueue, claim, run, end } = await spansOf(jobId);
      const enqueued = enqueue.spanContext();

      const stored = await db.prisma.job.findUniqueOrThrow({ where: { id: jobId } });
      expect(stored.traceContext).toEqual({ traceparent: `00-${enqueued.traceId}-${enqueued.spanId}-01` });
      expect(enqueue.attributes['jobkit.job.kinds']).toEqual(['piiScan']);

      expect(claim.attributes['jobkit.worker.id']).toBe(workerId);
      expect(claim.links.some((link) => sameSpan(link.context, enqueued))).toBe(true);

      expect(run.attributes).toEqual({ 'jobkit.job.id': jobId, 'jobkit.job.kind': 'piiScan', 'jobkit.job.attempt': 1, 'jobkit.worker.id': workerId });
      expect(run.links.map((link) => sameSpan(link.context, enqueued))).toEqual([true]);
      expect(run.status.code).toBe(SpanStatusCode.UNSET);

      expect(sameSpan(end.parentSpanContext, run.spanContext())).toBe(true);
      expect(end.attributes['jobkit.end']).toBe('completed');
    });
  }, testBoundMs);

  it('a failed attempt is a run span in error with the failure code; startMany stores one enqueue span for its jobs', async () => {
    const { jobs } = await caller.analysis.startMany({
      jobs: [
        { kind: 'piiScan', input: { text: failOnPurpose } },
        { kind: 'piiScan', input: { text: 'Fine.' } },
      ],
    });
    const [failing, fine] = jobs.map((job) => job.jobId);
    if (!failing || !fine) throw new Error('startMany answered without two jobs');
    await withWorker({ database: db, handlersModule, workerId }, async () => {
      expect((await endedJob(db, failing)).status).toBe('failed');
      expect((await endedJob(db, fine)).status).toBe('completed');
      const failed = await spansOf(failing);
      const completed = await spansOf(fine);

      expect(failed.run.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TRACED_FAILURE' });
      expect(failed.run.attributes['jobkit.error.code']).toBe('TRACED_FAILURE');
      expect(failed.end.attributes['jobkit.end']).toBe('failed');

      expect(failed.enqueue).toBe(completed.enqueue);
      expect(failed.enqueue.attributes['jobkit.job.ids']).toEqual([failing, fine]);
      expect(sameSpan(completed.run.links[0]?.context, failed.enqueue.spanContext())).toBe(true);
    });
  }, testBoundMs);

  it('a start refused over the caller\'s limit is an enqueue span in error with the tRPC code, naming no job', async () => {
    const limited = createCaller(createInnerContext({ db, actor: { userId: await createTestUser(db), role: 'user' }, settings: { maxStartsPerMinute: 1 } }));
    await limited.analysis.startPiiScan({ input: { text: 'The one start allowed.' } });
    exporter.reset();
    const refused = await errorOf(limited.analysis.startPiiScan({ input: { text: 'One too many.' } }));
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    const [enqueue, ...others] = exporter.getFinishedSpans().filter((span) => span.name === 'jobkit.enqueue');
    expect(others).toEqual([]);
    expect(enqueue?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'TOO_MANY_REQUESTS' });
    expect(enqueue?.attributes['jobkit.error.code']).toBe('TOO_MANY_REQUESTS');
    expect(enqueue?.attributes['jobkit.job.ids']).toBeUndefined();
  });
});
