import { expect, it } from 'vitest';
import { sseParser, type SseEvent } from '../src/compare/sse-parser.ts';

it('parses tRPC’s events from chunks split anywhere, skipping comments, the retry: hint and empty blocks', () => {
  const events: SseEvent[] = [];
  const feed = sseParser((event) => events.push(event));
  // As tRPC writes them: each event's lines, then "\n\n" (an extra blank line after the one that ends it).
  const stream = 'retry: 1000\n\nevent: connected\ndata: {"reconnectAfterInactivityMs":20000}\n\n\n: a comment\n\ndata: {"id":"a","version":3}\nid: 3\n\n\nevent: ping\ndata: \n\n\n';
  for (let at = 0; at < stream.length; at += 7) feed(stream.slice(at, at + 7));
  expect(events).toEqual([
    { event: 'connected', id: undefined, data: '{"reconnectAfterInactivityMs":20000}' },
    { event: 'message', id: '3', data: '{"id":"a","version":3}' },
    { event: 'ping', id: undefined, data: '' },
  ]);
});
