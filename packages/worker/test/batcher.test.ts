import { describe, expect, it } from 'vitest';
import { Batcher } from '../src/batcher.ts';

/** A write that records its batches and finishes when told to. */
function gatedWrite() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const write = (items: readonly number[]): Promise<number[]> => {
    batches.push([...items]);
    return new Promise((resolve) => gates.push(() => { resolve([...items]); }));
  };
  const openNext = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, write, openNext };
}

describe('batcher', () => {
  it('writes the first item at once and what arrives meanwhile together, up to the batch size', async () => {
    const { batches, write, openNext } = gatedWrite();
    const batcher = new Batcher(write, 3);
    const first = batcher.add(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4, 5].map((n) => batcher.add(n));
    await openNext();
    expect(await first).toEqual([1]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await openNext();
    await openNext();
    expect(await Promise.all(later)).toEqual([[2, 3, 4], [2, 3, 4], [2, 3, 4], [5]]);
  });

  it('rejects only the items of a failed batch, and goes on', async () => {
    let calls = 0;
    const batcher = new Batcher((items: readonly number[]) => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('database gone')) : Promise.resolve(items.length);
    }, 10);
    const failed = batcher.add(1);
    await expect(failed).rejects.toThrow('database gone');
    expect(await Promise.all([batcher.add(2), batcher.add(3)])).toEqual([2, 2]);
  });
});
