import type { JobHandler } from './handler.ts';
import { invokeHandler, type Invocation } from './invoke.ts';
import type { AbortReason, JobOutcome } from './thread-protocol.ts';

/** A handler at work, on a thread or inline. */
export interface Execution {
  /** Never rejects: a crash or a forced stop is a failure outcome too. */
  readonly outcome: Promise<JobOutcome>;
  /**
   * Settles when the handler begins. On a thread that can be long after the job was handed over:
   * a thread that replaces a terminated one first starts and loads the handlers. Never rejects.
   */
  readonly started: Promise<void>;
  /** Asks the handler to stop: its signal fires. */
  stop(reason: AbortReason): void;
  /** For a handler that ignored `stop`: ends its attempt without it. */
  abandon(): void;
}

/** Runs an `inline` handler here, on the worker's main thread (see HandlerIsolation). */
export function runInline(handler: JobHandler, call: Omit<Invocation, 'signal'>): Execution {
  const controller = new AbortController();
  let abandoned: (outcome: JobOutcome) => void = () => undefined;
  const gaveUp = new Promise<JobOutcome>((resolve) => {
    abandoned = resolve;
  });
  return {
    outcome: Promise.race([invokeHandler(handler, { ...call, signal: controller.signal }), gaveUp]),
    started: Promise.resolve(),
    stop(reason) {
      controller.abort(new Error(`Job stopped: ${reason}`));
    },
    // Nothing can stop code on this thread: the attempt ends without it and its result is ignored.
    abandon() {
      abandoned({
        ok: false,
        failure: { code: 'ABANDONED', message: 'The handler did not stop when asked; it was left running.', retryable: true },
      });
    },
  };
}
