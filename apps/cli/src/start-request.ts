import type { RouterInputs } from '@jobkit/api';
import { startableContracts, startableKinds, type StartableKind } from '@jobkit/jobs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CliError, exitCodes } from './exit-codes.ts';

/** One start of any kind, as `analysis.startMany` takes it. */
export type StartRequest = RouterInputs['analysis']['startMany']['jobs'][number];

function isStartableKind(kind: string): kind is StartableKind {
  return Object.hasOwn(startableContracts, kind);
}

/**
 * `--input` as given: `@path` reads a file, `-` standard input, anything else is the JSON itself.
 * Read as text and parsed here, so a mistake names the file and the JSON error.
 */
export async function readInputArgument(argument: string, stdin: () => Promise<string>): Promise<unknown> {
  const source = argument === '-' ? 'standard input' : argument.startsWith('@') ? argument.slice(1) : 'the --input argument';
  let text: string;
  try {
    text = argument === '-' ? await stdin() : argument.startsWith('@') ? await readFile(argument.slice(1), 'utf8') : argument;
  } catch (error) {
    throw new CliError(`Cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`, exitCodes.usage);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`, exitCodes.usage);
  }
}

/**
 * The kind's own schema checks the input before anything is sent, so a mistake is explained field
 * by field here, the way the server would refuse it.
 */
export function startRequestFor(kind: string, input: unknown): StartRequest {
  if (!isStartableKind(kind)) {
    throw new CliError(`No kind "${kind}" can be started. Kinds: ${startableKinds.join(', ')}.`, exitCodes.usage);
  }
  const parsed = startableContracts[kind].input.safeParse(input);
  if (!parsed.success) {
    throw new CliError(`The input is not a valid ${kind} input:\n${z.prettifyError(parsed.error)}`, exitCodes.usage);
  }
  // The input as written (what the schema accepted as its input, before defaults and transforms) with
  // its own kind: one member of the union, which tsc cannot pair through a kind known at run time.
  return { kind, input } as StartRequest;
}
