import type { JobkitClient } from '../client.ts';
import type { ExitCode } from '../exit-codes.ts';
import type { Terminal } from '../output.ts';

/** What every command gets: the typed client, where to write, and whether to write JSON. */
export interface CommandContext {
  client: JobkitClient;
  terminal: Terminal;
  json: boolean;
  /** The exit code of the command that ran; commands leave it at 0 unless their outcome is not. */
  exitCode: ExitCode;
}
