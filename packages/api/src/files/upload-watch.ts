import { TRPCError } from '@trpc/server';

export interface UploadPace {
  /** The longest wait for the next bytes; 0 for none. */
  idleTimeoutMs: number;
  /** The lowest average rate once `graceMs` of waiting has passed; 0 for none. */
  minBytesPerSecond: number;
  graceMs?: number;
}

/** Slow starts (TLS, a phone waking its radio) are not judged by the average: the first seconds are free. */
const defaultGraceMs = 10_000;

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * Times how long an upload keeps the server waiting for its bytes. Only the waits count (not the
 * time the server spends storing what came), so a slow database never cuts off a fast client. A
 * client that stalls past the idle timeout, or trickles below the minimum rate, gets a TIMEOUT
 * (408); an upload whose body breaks (malformed multipart, a closed connection) a BAD_REQUEST.
 */
export class UploadWatch {
  private waitedMs = 0;
  private bytes = 0;

  constructor(private readonly pace: UploadPace) {}

  /** Waits for `pending`, at most the idle timeout; a failure of the body itself is a BAD_REQUEST. */
  async wait<T>(pending: Promise<T>): Promise<T> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      if (this.pace.idleTimeoutMs <= 0) return;
      timer = setTimeout(() => {
        reject(
          new TRPCError({
            code: 'TIMEOUT',
            message: `The upload sent nothing for ${this.pace.idleTimeoutMs / 1000} s and was cut off; nothing of it was kept. Send it again.`,
          }),
        );
      }, this.pace.idleTimeoutMs);
    });
    // Once cut off, the body's pending read fails when the connection closes: nobody waits for it.
    pending.catch(() => undefined);
    try {
      return await Promise.race([pending.catch(brokenBody), stalled]);
    } finally {
      clearTimeout(timer);
      this.waitedMs += performance.now() - started;
    }
  }

  /** The bytes of `source`, each wait for them timed and the average rate checked. */
  async *stream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    const iterator = source[Symbol.asyncIterator]();
    for (let next = await this.wait(iterator.next()); next.done !== true; next = await this.wait(iterator.next())) {
      this.count(next.value.length);
      yield next.value;
    }
  }

  private count(bytes: number): void {
    this.bytes += bytes;
    const { minBytesPerSecond, graceMs = defaultGraceMs } = this.pace;
    if (minBytesPerSecond <= 0 || this.waitedMs < graceMs) return;
    const rate = (this.bytes * 1000) / this.waitedMs;
    if (rate < minBytesPerSecond) {
      throw new TRPCError({
        code: 'TIMEOUT',
        message: `The upload arrived at ${kilobytes(rate)}/s, below the minimum of ${kilobytes(minBytesPerSecond)}/s, and was cut off; nothing of it was kept. Send it again over a faster connection.`,
      });
    }
  }
}

/** What the multipart parser's own errors mean for the person sending the file. */
function brokenBody(error: unknown): never {
  if (error instanceof TRPCError) throw error;
  const detail = error instanceof Error ? error.message : String(error);
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: /limit/i.test(detail)
      ? 'Send one file per request, in a multipart/form-data field named "file", and nothing else.'
      : `The multipart/form-data body is broken (${detail.slice(0, 100)}); send the file again in a field named "file".`,
    cause: error,
  });
}
