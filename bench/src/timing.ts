/** Runs `action` once to warm up, then `runs` times, returning each run's milliseconds. */
export async function timeRuns(action: () => Promise<unknown>, runs: number): Promise<number[]> {
  await action();
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    await action();
    times.push(performance.now() - started);
  }
  return times;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
