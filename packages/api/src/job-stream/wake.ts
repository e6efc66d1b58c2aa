/** Where a sleeping reader leaves the way to wake it; the writer calls `wake` after changing what it holds. */
export interface WakeSlot {
  wake: (() => void) | undefined;
}

/** Sleeps until the slot's `wake` is called or the signal aborts, whichever comes first. */
export function sleepUntilWoken(slot: WakeSlot, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      slot.wake = undefined;
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    slot.wake = stop;
    signal?.addEventListener('abort', stop, { once: true });
  });
}
