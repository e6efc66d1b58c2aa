/**
 * Runs `pnpm bench --smoke` (tiny sizes, one run, the real systems, server and database) and checks
 * that the JSON it writes has every row of the table, each one measured number: finite, and not
 * negative unless the row is a difference. It proves the harness works end to end; the numbers
 * themselves mean nothing at these sizes, so none is asked to reach anything: a row measured over
 * a fixed window (the HTTP rows' 3 s) may count nothing on a loaded machine and is still produced.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { readConfig } from '../src/compare/config.ts';
import { metrics } from '../src/compare/metrics.ts';

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);

const resultsFile = z.object({
  smoke: z.boolean(),
  rows: z.array(z.object({ metric: z.string(), column: z.string(), median: z.number(), min: z.number(), max: z.number(), runs: z.array(z.number()) })),
});

it('produces every row for every system, each one finite number (not negative unless its row is a difference)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jobkit-bench-smoke-'));
  const out = join(dir, 'smoke.json');
  try {
    await run(process.execPath, ['--import', 'tsx', 'src/compare/main.ts', '--smoke', '--out', out], {
      cwd: benchDir,
      // A bound for a run that hangs, not a speed check: a loaded CI machine took 170 s to reach the
      // pollers' rows of a run that takes about 100 s when the machine is quiet.
      timeout: 540_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = resultsFile.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(results.smoke).toBe(true);
    const rows = new Map(results.rows.map((row) => [`${row.metric} / ${row.column}`, row]));
    const expected = metrics(readConfig(['--smoke'])).flatMap((metric) => metric.columns.map((column) => ({ key: `${metric.id} / ${column}`, range: metric.range })));
    expect([...rows.keys()].sort()).toEqual(expected.map(({ key }) => key).sort());
    for (const { key, range } of expected) {
      const row = rows.get(key);
      expect(row?.runs, key).toHaveLength(1);
      for (const value of [row?.median, row?.min, row?.max]) {
        const produced = value !== undefined && Number.isFinite(value) && (range === 'any' || value >= 0);
        expect(produced, `${key}: ${String(value)}`).toBe(true);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 560_000);
