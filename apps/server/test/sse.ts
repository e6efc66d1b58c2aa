import { expect } from 'vitest';

export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/** Opens `jobs.watchJob` as a browser's EventSource would (GET, text/event-stream) and parses its events. */
export function watchJobEvents(baseUrl: string, token: string, input: object, headers: Record<string, string> = {}): AsyncGenerator<SseEvent> {
  return subscriptionEvents(baseUrl, token, 'jobs.watchJob', input, headers);
}

/** Opens any subscription of the router (GET, text/event-stream) and parses its events. */
export async function* subscriptionEvents(
  baseUrl: string,
  token: string,
  path: string,
  input?: object,
  headers: Record<string, string> = {},
): AsyncGenerator<SseEvent> {
  const url = `${baseUrl}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
  const response = await fetch(url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...headers } });
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  if (!response.body) throw new Error('no body');
  let buffered = '';
  for await (const text of response.body.pipeThrough(new TextDecoderStream())) {
    buffered += text;
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event: SseEvent = { event: 'message', id: undefined, data: '' };
      let hasData = false;
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        // Lines starting with ':' are comments: tRPC's keep-alive pings.
        if (colon <= 0) continue;
        const field = line.slice(0, colon);
        const value = line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        if (field === 'id') event.id = value;
        if (field === 'data') {
          event.data += value;
          hasData = true;
        }
      }
      // As EventSource does: a block without data (the `retry:` hint) dispatches no event.
      if (hasData) yield event;
    }
  }
}

/** The next event other than tRPC's own `connected` announcement. */
export async function nextEvent(stream: AsyncGenerator<SseEvent>): Promise<SseEvent> {
  for (;;) {
    const step = await stream.next();
    if (step.done) throw new Error('the stream ended');
    if (step.value.event !== 'connected') return step.value;
  }
}
