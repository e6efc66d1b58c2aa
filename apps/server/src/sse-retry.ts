import type { FastifyInstance } from 'fastify';

/**
 * How long a browser waits to reconnect a dropped stream. tRPC writes no `retry:` field, so
 * EventSource waited its own default (3 s in Chromium), during which a job page shows nothing new.
 * One second is soon enough to look live, and a fleet of browsers reconnecting to a restarted
 * server is spread by their drops, not synchronised by this.
 */
export const sseReconnectMs = 1_000;

const retryField = new TextEncoder().encode(`retry: ${String(sseReconnectMs)}\n\n`);

/** Puts `retry:` first in every SSE answer (tRPC's subscriptions), before tRPC's own events. */
export function addSseRetryHint(app: FastifyInstance): void {
  app.addHook('onSend', (_request, _reply, payload, done) => {
    if (!(payload instanceof Response) || payload.body === null || !payload.headers.get('content-type')?.startsWith('text/event-stream')) {
      done(null, payload);
      return;
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        controller.enqueue(retryField);
      },
    });
    // Ends when either side does: a client that leaves cancels `readable`, which aborts the pipe
    // and cancels tRPC's stream (whose request signal has already ended the subscription).
    payload.body.pipeTo(writable).catch(() => undefined);
    done(null, new Response(readable, { status: payload.status, headers: payload.headers }));
  });
}
