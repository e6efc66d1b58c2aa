import { claimJobs, completeJob, recordProgress } from '@jobkit/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startDocumentJob, startHarness, userWithToken, type HttpHarness } from './harness.ts';
import { sseReconnectMs } from '../src/sse-retry.ts';
import { nextEvent, watchJobEvents, type SseEvent } from './sse.ts';

let harness: HttpHarness;
let alice: { userId: string; token: string };
let bob: { userId: string; token: string };

beforeAll(async () => {
  harness = await startHarness();
  alice = await userWithToken(harness.db);
  bob = await userWithToken(harness.db);
});
afterAll(() => harness.close());

/** The subscription over HTTP, as a browser's EventSource opens it. */
const sse = (token: string, input: object, headers: Record<string, string> = {}) => watchJobEvents(harness.baseUrl, token, input, headers);
const next = nextEvent;

const startJob = (token: string) => startDocumentJob(harness.baseUrl, token);

describe('jobs.watchJob over SSE', () => {
  it('streams the job at once, each progress step with its version as the event id, and ends after completion', async () => {
    const jobId = await startJob(alice.token);
    const stream = sse(alice.token, { jobId });
    const first = await next(stream);
    expect(JSON.parse(first.data)).toMatchObject({ id: jobId, status: 'queued' });
    expect(first.id).toBe(String(z.object({ version: z.int() }).parse(JSON.parse(first.data)).version));

    await claimJobs(harness.db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
    const ref = { jobId, workerId: 'w', attempt: 1 };
    const running = await next(stream);
    expect(JSON.parse(running.data)).toMatchObject({ status: 'running' });
    await recordProgress(harness.db.pool, ref, { percent: 50, message: 'half' });
    const half = await next(stream);
    expect(JSON.parse(half.data)).toMatchObject({ progress: 50, progressMessage: 'half' });
    await completeJob(harness.db.pool, ref, {}, 60_000);
    const done = await next(stream);
    expect(JSON.parse(done.data)).toMatchObject({ status: 'completed' });

    const ids = [first, running, half, done].map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    // tRPC says the stream is over, and the server closes it.
    const rest: SseEvent[] = [];
    for await (const event of stream) rest.push(event);
    expect(rest.map((event) => event.event)).toEqual(['return']);
  });

  it('resumes from the Last-Event-ID header an EventSource sends, without repeating that version', async () => {
    const jobId = await startJob(alice.token);
    const first = await next(sse(alice.token, { jobId }));
    const resumed = sse(alice.token, { jobId }, { 'last-event-id': first.id ?? '' });
    const pending = next(resumed);
    await claimJobs(harness.db.pool, { workerId: 'w', kinds: ['documentAnalysis'], limit: 1, leaseMs: 60_000 });
    const event = await pending;
    expect(JSON.parse(event.data)).toMatchObject({ status: 'running' });
    expect(Number(event.id)).toBeGreaterThan(Number(first.id));
  });

  it('tells the browser to reconnect a dropped stream after 1 s (retry:), before any event', async () => {
    const jobId = await startJob(alice.token);
    const controller = new AbortController();
    const response = await fetch(`${harness.baseUrl}/trpc/jobs.watchJob?input=${encodeURIComponent(JSON.stringify({ jobId }))}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${alice.token}` },
      signal: controller.signal,
    });
    let text = '';
    for await (const chunk of response.body?.pipeThrough(new TextDecoderStream()) ?? []) {
      text += chunk;
      if (text.includes('\n\n')) break;
    }
    controller.abort();
    expect(text.startsWith(`retry: ${String(sseReconnectMs)}\n\n`)).toBe(true);
  });

  it('refuses another user’s job with the NOT_FOUND getJob gives', async () => {
    const jobId = await startJob(alice.token);
    const event = await next(sse(bob.token, { jobId }));
    expect(event.event).toBe('serialized-error');
    expect(JSON.parse(event.data)).toMatchObject({ message: `No job ${jobId}.`, data: { code: 'NOT_FOUND', httpStatus: 404 } });
  });

  it('lets an admin watch anyone’s job, as getJob does', async () => {
    const admin = await userWithToken(harness.db, 'admin');
    const jobId = await startJob(alice.token);
    expect(JSON.parse((await next(sse(admin.token, { jobId }))).data)).toMatchObject({ id: jobId, status: 'queued' });
  });
});
