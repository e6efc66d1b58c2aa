import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { ClaimedJob } from '@jobkit/queue';
import { z } from 'zod';
import type { AttemptEnd } from './observer.ts';
import type { AbortReason, JobOutcome } from './thread-protocol.ts';

// Only the OpenTelemetry API: until an app registers an SDK every span is a non-recording no-op,
// and whatever a span would only carry (links, job ids) is computed only when it records.
const tracer = trace.getTracer('@jobkit/worker');

/** Propagation headers as the API stored them (`traceparent`, `tracestate`). */
const storedTraceContext = z.record(z.string(), z.string());

/** The enqueuing span's context, to link to; none for a job enqueued without tracing, or a stored context of another shape. */
function enqueueSpanContextOf(job: ClaimedJob) {
  const stored = storedTraceContext.safeParse(job.traceContext);
  if (!stored.success) return undefined;
  return trace.getSpanContext(propagation.extract(ROOT_CONTEXT, stored.data));
}

function linkToEnqueue(span: Span, job: ClaimedJob): void {
  const enqueued = enqueueSpanContextOf(job);
  if (enqueued) span.addLink({ context: enqueued, attributes: { 'jobkit.job.id': job.id } });
}

/** `jobkit.claim`: one claim statement; records the jobs it took and links to their enqueues. */
export async function tracedClaim(workerId: string, claim: () => Promise<ClaimedJob[]>): Promise<ClaimedJob[]> {
  const span = tracer.startSpan('jobkit.claim', { kind: SpanKind.CONSUMER, attributes: { 'jobkit.worker.id': workerId } }, ROOT_CONTEXT);
  try {
    const jobs = await claim();
    if (span.isRecording()) {
      span.setAttributes({ 'jobkit.claimed': jobs.length, 'jobkit.job.ids': jobs.map((job) => job.id) });
      for (const job of jobs) linkToEnqueue(span, job);
    }
    return jobs;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The spans of one attempt: `jobkit.run` around its handler, then `jobkit.end` around writing its end. */
export interface AttemptTrace {
  /** Ends the run span: an error with the failure's code when the handler failed or timed out. */
  handlerOver(result: JobOutcome, reason: AbortReason | undefined): void;
  /** Writes the attempt's end inside `jobkit.end`, a child of the run span. */
  ending(write: () => Promise<AttemptEnd>): Promise<AttemptEnd>;
}

export function traceAttempt(job: ClaimedJob, workerId: string): AttemptTrace {
  const attributes = { 'jobkit.job.id': job.id, 'jobkit.job.kind': job.kind, 'jobkit.job.attempt': job.attempt, 'jobkit.worker.id': workerId };
  // A root of its own, linked to the start that enqueued it: the job may run long after that trace ended.
  const run = tracer.startSpan('jobkit.run', { kind: SpanKind.CONSUMER, attributes }, ROOT_CONTEXT);
  if (run.isRecording()) linkToEnqueue(run, job);
  return {
    handlerOver(result, reason) {
      // A stop asked for (cancelled, shutdown, lease lost) is not the handler's error: said as such.
      if (reason && reason !== 'timeout') run.setAttribute('jobkit.stopped', reason);
      else if (!result.ok) {
        const code = reason === 'timeout' ? 'TIMEOUT' : result.failure.code;
        run.setAttribute('jobkit.error.code', code);
        run.setStatus({ code: SpanStatusCode.ERROR, message: code });
      }
      run.end();
    },
    async ending(write) {
      const end = tracer.startSpan('jobkit.end', { attributes }, trace.setSpan(ROOT_CONTEXT, run));
      try {
        const outcome = await write();
        end.setAttribute('jobkit.end', outcome);
        return outcome;
      } finally {
        end.end();
      }
    },
  };
}
