/** `jobkit`: the command line. Everything it does is in cli.ts; this only connects the process. */
import { text } from 'node:stream/consumers';
import { runCli } from './cli.ts';

process.exitCode = await runCli(process.argv.slice(2), process.env, {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => text(process.stdin),
});
