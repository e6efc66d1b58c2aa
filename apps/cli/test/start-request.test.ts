import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, exitCodes } from '../src/exit-codes.ts';
import { readInputArgument, startRequestFor } from '../src/start-request.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jobkit-cli-input-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noStdin = () => Promise.reject(new Error('standard input was not expected'));

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

describe('--input', () => {
  it('reads inline JSON, a file after @, and standard input after -', async () => {
    const file = join(dir, 'in.json');
    await writeFile(file, '{"text":"from a file"}');
    expect(await readInputArgument('{"text":"inline"}', noStdin)).toEqual({ text: 'inline' });
    expect(await readInputArgument(`@${file}`, noStdin)).toEqual({ text: 'from a file' });
    expect(await readInputArgument('-', () => Promise.resolve('[1,2]'))).toEqual([1, 2]);
  });

  it('names the file that cannot be read and the JSON that cannot be parsed', async () => {
    const missing = await refusal(readInputArgument(`@${join(dir, 'missing.json')}`, noStdin));
    expect(missing.exitCode).toBe(exitCodes.usage);
    expect(missing.message).toContain('missing.json');
    const broken = await refusal(readInputArgument('{"text":', noStdin));
    expect(broken.exitCode).toBe(exitCodes.usage);
    expect(broken.message).toContain('the --input argument is not JSON');
  });
});

describe('startRequestFor', () => {
  it("keeps the input as written, with its kind, once the kind's schema accepts it", () => {
    expect(startRequestFor('documentAnalysis', { text: 'Fine.' })).toEqual({ kind: 'documentAnalysis', input: { text: 'Fine.' } });
  });

  it('refuses an unknown or internal kind, listing the kinds, and input its schema refuses, by field', () => {
    for (const kind of ['nope', 'webhookDelivery']) {
      expect(() => startRequestFor(kind, {})).toThrow(/Kinds: .*documentAnalysis/);
    }
    expect(() => startRequestFor('documentAnalysis', { text: 'x', summarySentences: 0 })).toThrow(/summarySentences/);
  });
});
