/**
 * The HTTP load generator (autocannon), in a process of its own so that its event loop, busy with
 * hundreds of connections, does not delay the benchmark's own timing and database polling.
 */
import autocannon from 'autocannon';
import { inspect } from 'node:util';
import { loadSpec, type ChildMessage } from './protocol.ts';

const spec = loadSpec.parse(JSON.parse(process.argv[2] ?? '{}'));

function send(message: ChildMessage, then?: () => void): void {
  process.send?.(message, undefined, undefined, then);
}

// autocannon's default: a request unanswered this long counts as failed.
const timeoutSeconds = 10;
let next = 0;
const instance = autocannon(
  {
    url: spec.url,
    connections: spec.connections,
    timeout: timeoutSeconds,
    // Long enough to outlast any measurement that stops it explicitly.
    duration: spec.seconds ?? 3600,
    method: spec.method,
    headers: { authorization: `Bearer ${spec.token}`, 'content-type': 'application/json' },
    ...(spec.body === undefined ? {} : { body: spec.body }),
    requests: [
      {
        // Round-robin over all connections: each poll asks for another job.
        setupRequest: (request) => {
          const path = spec.paths[next % spec.paths.length];
          next += 1;
          return { ...request, path };
        },
      },
    ],
  },
  (error: unknown, result: autocannon.Result) => {
    if (error) {
      send({ type: 'failed', message: inspect(error) });
      process.exit(1);
    }
    send({
      type: 'load',
      requestsPerSecond: result['2xx'] / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result['2xx'],
      failed: result.non2xx + result.errors,
      failures:
        `${result.non2xx} non-2xx (${JSON.stringify(result.statusCodeStats ?? {})}), ` +
        `${result.errors - result.timeouts} connection errors, ${result.timeouts} timeouts (${timeoutSeconds} s)`,
      seconds: result.duration,
    }, () => process.exit(0));
  },
);
process.on('message', (message) => {
  if (message === 'stop') instance.stop();
});
// Without the benchmark there is nobody to report to: stop loading the server at once.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', node: process.version });
