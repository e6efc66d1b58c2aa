/**
 * `pnpm user:create --email ada@example.com [--name "Ada"] [--admin]`: adds a user who signs in
 * with a password: from JOBKIT_PASSWORD, a hidden prompt at a terminal, or a line piped in. Honours
 * DATABASE_URL and JOBKIT_DATA_DIR as the server does.
 */
import { createUser } from '@jobkit/api';
import { bootDatabase, exitOnSetupError } from '@jobkit/db';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, admin: { type: 'boolean', default: false } },
});
if (!values.email) {
  console.error('Usage: pnpm user:create --email ada@example.com [--name "Ada Lovelace"] [--admin]');
  process.exit(2);
}

/** JOBKIT_PASSWORD, else one line from standard input: typed at a hidden prompt, or piped in. */
async function readPassword(): Promise<string> {
  if (process.env.JOBKIT_PASSWORD) return process.env.JOBKIT_PASSWORD;
  if (process.stdin.isTTY) process.stdout.write('Password (10+ characters): ');
  // readline echoes what is typed to `output`: a stream that drops it keeps the password hidden.
  const hidden = new Writable({ write: (_chunk, _encoding, done) => { done(); } });
  const prompt = createInterface({ input: process.stdin, output: hidden, terminal: process.stdin.isTTY });
  try {
    return await prompt.question('');
  } finally {
    prompt.close();
    if (process.stdin.isTTY) process.stdout.write('\n');
  }
}

// The same database the server uses: DATABASE_URL, or the embedded one in JOBKIT_DATA_DIR (running
// beside the server, or started for this command).
const booted = await bootDatabase({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.JOBKIT_DATA_DIR,
  embedded: 'attach-or-start',
}).catch(exitOnSetupError);
try {
  const user = await createUser(booted.database, {
    email: values.email,
    name: values.name ?? values.email.split('@')[0] ?? values.email,
    password: await readPassword(),
    role: values.admin ? 'admin' : 'user',
  });
  console.log(`Created ${user.role} ${user.email} (${user.id}).`);
} catch (error) {
  console.error(error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await booted.shutdown();
}
