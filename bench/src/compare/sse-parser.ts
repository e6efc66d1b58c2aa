/** One server-sent event: its `event:` name (`message` when none is given), `id:` and `data:` lines. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * An incremental text/event-stream parser (the WHATWG rules a watcher needs): text goes in as it
 * arrives, in chunks that may split a line anywhere, and each event comes out at the blank line
 * that ends it. Comment lines (`:`) are skipped; a block without a `data:` line makes no event, as
 * in EventSource: blank lines with no field before them (tRPC ends every event with an extra one)
 * and the server's opening `retry:` hint.
 */
export function sseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
  let partial = '';
  let current: SseEvent | undefined;
  let hasData = false;
  const take = (line: string) => {
    if (line === '') {
      if (current && hasData) onEvent(current);
      current = undefined;
      hasData = false;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    current ??= { event: 'message', id: undefined, data: '' };
    if (field === 'event') current.event = value;
    else if (field === 'id') current.id = value;
    else if (field === 'data') {
      current.data = hasData ? `${current.data}\n${value}` : value;
      hasData = true;
    }
  };
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) take(line.endsWith('\r') ? line.slice(0, -1) : line);
  };
}
