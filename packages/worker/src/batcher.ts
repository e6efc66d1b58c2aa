interface Waiting<Item, Answer> {
  item: Item;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * Gathers items and writes them together, one write at a time: the first item goes out at once
 * (after the current tick, so that items added in one go share a write), and the items that arrive
 * while a write is in flight go together in the next one, up to `maxBatch`. There is no timer:
 * at low load nothing waits, and under load the batches grow by themselves to what arrives during
 * one round trip (graphile-worker's completion batching, with its delay at zero).
 *
 * Every item of a batch gets the batch's whole answer (or its error), and picks out its own part.
 * A batch that fails with an error `isolate` says may belong to one item (bad data, not a lost
 * connection) is written again item by item, so that only the item at fault fails: one result the
 * database refuses must not take the ends of the other jobs of its batch with it.
 */
export class Batcher<Item, Answer> {
  private waiting: Waiting<Item, Answer>[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: readonly Item[]) => Promise<Answer>,
    private readonly maxBatch: number,
    private readonly isolate: (error: unknown) => boolean = () => false,
  ) {}

  add(item: Item): Promise<Answer> {
    const answer = new Promise<Answer>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
    });
    this.writing ??= this.writeAll();
    return answer;
  }

  private async writeAll(): Promise<void> {
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const answer = await this.write(batch.map((waiting) => waiting.item));
        for (const waiting of batch) waiting.resolve(answer);
      } catch (error) {
        if (batch.length > 1 && this.isolate(error)) await this.writeOneByOne(batch);
        else for (const waiting of batch) waiting.reject(error);
      }
    }
    this.writing = undefined;
  }

  private async writeOneByOne(batch: readonly Waiting<Item, Answer>[]): Promise<void> {
    for (const waiting of batch) {
      try {
        waiting.resolve(await this.write([waiting.item]));
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
