import { TRPCError } from '@trpc/server';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { UploadWatch } from '../src/files/upload-watch.ts';

async function drain(source: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const piece of source) bytes += piece.length;
  return bytes;
}

async function errorOf(promise: Promise<unknown>): Promise<TRPCError> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof TRPCError)) throw new Error(`Expected a TRPCError, got ${String(error)}`);
  return error;
}

async function* pieces(count: number, size: number, pauseMs: number): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < count; index++) {
    await sleep(pauseMs);
    yield new Uint8Array(size);
  }
}

describe('upload watch', () => {
  it('passes an upload that keeps coming, however slow the consumer', async () => {
    const watch = new UploadWatch({ idleTimeoutMs: 1_000, minBytesPerSecond: 1_000, graceMs: 50 });
    let bytes = 0;
    for await (const piece of watch.stream(pieces(20, 1_000, 5))) {
      bytes += piece.length;
      // The server storing slowly is not the client's fault: only waits for the client count.
      await sleep(30);
    }
    expect(bytes).toBe(20_000);
  });

  it('cuts off an upload that sends nothing for the idle timeout', async () => {
    async function* stalls(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      await new Promise(() => undefined);
    }
    const error = await errorOf(drain(new UploadWatch({ idleTimeoutMs: 200, minBytesPerSecond: 0 }).stream(stalls())));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toBe('The upload sent nothing for 0.2 s and was cut off; nothing of it was kept. Send it again.');
  });

  it('cuts off an upload that trickles below the minimum rate, once its grace period has passed', async () => {
    const watch = new UploadWatch({ idleTimeoutMs: 1_000, minBytesPerSecond: 10_000, graceMs: 100 });
    const error = await errorOf(drain(watch.stream(pieces(100, 10, 20))));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/^The upload arrived at \d+\.\d KB\/s, below the minimum of 9\.8 KB\/s, and was cut off/);
  });

  it('turns a failing body into a BAD_REQUEST that says what broke', async () => {
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      await sleep(1);
      throw new Error('Unexpected end of form');
    }
    const error = await errorOf(drain(new UploadWatch({ idleTimeoutMs: 0, minBytesPerSecond: 0 }).stream(broken())));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      'The multipart/form-data body is broken (Unexpected end of form); send the file again in a field named "file".',
    );
  });
});
