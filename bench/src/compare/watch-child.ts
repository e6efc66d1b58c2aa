/**
 * A watcher process: opens `count` `jobs.watchJob` SSE streams to the server (node:http, one socket
 * each, as that many browser tabs would), says `watching` once every stream has its job's first
 * event, then forwards each later event with its arrival time. In a process of its own so that the
 * measured server is alone in its process and the benchmark's clock is not delayed by the sockets.
 */
import http from 'node:http';
import { inspect } from 'node:util';
import { openFileLimit } from './proc-usage.ts';
import { watchSpec, type ChildMessage } from './protocol.ts';
import { sseParser, type SseEvent } from './sse-parser.ts';
import { wallClock } from './systems/types.ts';

const spec = watchSpec.parse(JSON.parse(process.argv[2] ?? '{}'));
const server = new URL(spec.baseUrl);

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

/** Why this process cannot do what it was told, before it opens anything. */
function setupProblem(): string | undefined {
  // Only this machine: the benchmark's server listens on loopback, and nothing else is to be loaded.
  if (server.hostname !== '127.0.0.1') return `watchers connect to 127.0.0.1 only, not ${server.hostname}`;
  // One descriptor per socket, plus stdio, IPC and libuv's own: a limit below that would fail part
  // way with EMFILE. Node cannot raise its own limit; the shell that runs the benchmark can (ulimit -n).
  const fileLimit = openFileLimit('self');
  if (fileLimit < spec.count + 64) {
    return `${spec.count} watchers need about ${spec.count + 64} open files; this process may open ${fileLimit} (ulimit -n). Raise it in the shell that runs the benchmark.`;
  }
  return undefined;
}

const requests: http.ClientRequest[] = [];
const lostReasons = new Map<string, number>();
let stopping = false;
let connecting = 0;
let watching = 0;
let next = spec.first;
let events = 0;
let pings = 0;
let failed = false;
let connectStarted = 0;

/** Says why once, drops every stream and exits: the benchmark's measurement fails with this reason. */
function fail(message: string): void {
  if (failed) return;
  failed = true;
  stopping = true;
  for (const request of requests) request.destroy();
  send({ type: 'failed', message }, () => process.exit(1));
}

/** One stream: `connecting` until its first job event, then `watching` until it ends or fails. */
function watch(n: number): void {
  const jobId = spec.jobIds[n % spec.jobIds.length] ?? '';
  let state: 'connecting' | 'watching' | 'lost' = 'connecting';
  const lose = (reason: string) => {
    if (stopping || state === 'lost') return;
    // A stream that never opened is a broken setup, not a measurement: stop at once, saying why.
    if (state === 'connecting') {
      fail(`watcher ${n} (job ${jobId}): ${reason}`);
      return;
    }
    state = 'lost';
    lostReasons.set(reason, (lostReasons.get(reason) ?? 0) + 1);
  };
  const onEvent = (event: SseEvent) => {
    switch (event.event) {
      case 'ping':
        pings += 1;
        return;
      case 'message':
        // Job events are tracked by version (the event id): a message without one is not a job's.
        if (event.id === undefined) return;
        break;
      case 'return':
        lose('the server ended the stream');
        return;
      case 'serialized-error':
        lose(`an error event: ${event.data.slice(0, 200)}`);
        return;
      default:
        // `connected` (tRPC's opening event) and anything newer: nothing to count.
        return;
    }
    const receivedAt = wallClock();
    if (state === 'connecting') {
      state = 'watching';
      connecting -= 1;
      watching += 1;
      if (watching === spec.count) send({ type: 'watching', watchers: watching, seconds: (performance.now() - connectStarted) / 1000 });
      openMore();
      return;
    }
    events += 1;
    send({ type: 'watch-event', jobId, version: Number(event.id), receivedAt });
  };
  const path = `/trpc/jobs.watchJob?input=${encodeURIComponent(JSON.stringify({ jobId }))}`;
  const request = http.get(
    { host: '127.0.0.1', port: server.port, path, agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${spec.token}` } },
    (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        lose(`HTTP ${response.statusCode ?? 'without a status'}`);
        return;
      }
      response.setEncoding('utf8');
      const feed = sseParser(onEvent);
      response.on('data', (chunk: string) => {
        feed(chunk);
      });
      response.on('close', () => {
        lose('the connection closed');
      });
    },
  );
  request.on('error', (error) => {
    lose(error.message);
  });
  requests.push(request);
}

function openMore(): void {
  while (connecting < spec.connecting && next < spec.first + spec.count) {
    connecting += 1;
    watch(next);
    next += 1;
  }
}

process.on('message', (message) => {
  if (message !== 'stop' || failed) return;
  stopping = true;
  for (const request of requests) request.destroy();
  const reasons = [...lostReasons].map(([reason, count]) => `${count} × ${reason}`).join('; ');
  send({ type: 'watch-summary', events, pings, lost: [...lostReasons.values()].reduce((a, b) => a + b, 0), lostReasons: reasons }, () => process.exit(0));
});
// Without the benchmark nobody reads the results: let the server go at once.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (error) => {
  fail(inspect(error));
});
const problem = setupProblem();
if (problem === undefined) {
  connectStarted = performance.now();
  openMore();
} else {
  fail(problem);
}
