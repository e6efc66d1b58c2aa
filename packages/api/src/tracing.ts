import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { EnqueuedJob } from '@jobkit/queue';
import { TRPCError } from '@trpc/server';

// Only the OpenTelemetry API: until the app registers an SDK the span is a non-recording no-op and
// nothing is stored with the job.
const tracer = trace.getTracer('@jobkit/api');

/** The span's context as propagation headers (W3C `traceparent` with the SDK's default propagator), or none. */
function propagationHeadersOf(span: Span): Record<string, string> | undefined {
  if (!span.isRecording()) return undefined;
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/**
 * `jobkit.enqueue` around a start's insert. `enqueue` gets the trace context to store with the
 * jobs, so the worker's run spans link back to this span.
 */
export async function tracedEnqueue(enqueue: (traceContext: Record<string, string> | undefined) => Promise<EnqueuedJob[]>): Promise<EnqueuedJob[]> {
  return tracer.startActiveSpan('jobkit.enqueue', { kind: SpanKind.PRODUCER }, async (span) => {
    try {
      const jobs = await enqueue(propagationHeadersOf(span));
      if (span.isRecording()) {
        span.setAttributes({ 'jobkit.job.ids': jobs.map((job) => job.id), 'jobkit.job.kinds': [...new Set(jobs.map((job) => job.kind))] });
      }
      return jobs;
    } catch (error) {
      // Mostly a refusal over the caller's limits: its tRPC code says which, as the answer does.
      const code = error instanceof TRPCError ? error.code : 'INTERNAL_SERVER_ERROR';
      span.setAttribute('jobkit.error.code', code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      throw error;
    } finally {
      span.end();
    }
  });
}
