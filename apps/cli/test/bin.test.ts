/**
 * The built command line as `npx jobkit` runs it: bin/jobkit.mjs through its shebang, under plain
 * node, every workspace package from its dist/ (turbo builds them first: see turbo.json).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { z } from 'zod';

const bin = fileURLToPath(new URL('../bin/jobkit.mjs', import.meta.url));
const run = promisify(execFile);

it('prints its help with the exit codes', async () => {
  const { stdout } = await run(bin, ['--help']);
  expect(stdout).toContain('Usage: jobkit');
  expect(stdout).toContain('Exit codes: 0 done');
});

it("checks a start's input with the kind's compiled schema before any request, exiting 2", async () => {
  const refused = await run(bin, ['jobs', 'start', 'documentAnalysis', '--input', '{"text":""}'], {
    // Nothing listens there: an exit 2 (not 6) shows the input was refused before any request.
    env: { ...process.env, JOBKIT_URL: 'http://127.0.0.1:9', JOBKIT_TOKEN: 'jk_unused' },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: unknown) => z.object({ code: z.int(), stderr: z.string() }).parse(error),
  );
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('Paste some text to analyse');
});
