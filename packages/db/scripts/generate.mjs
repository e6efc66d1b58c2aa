// Runs `prisma generate` offline. The `prisma-client` generator needs no engine binary, but the CLI
// insists on locating its native schema engine before it generates; any existing file satisfies
// that check, so we point it at this script unless the caller already chose a real engine.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(import.meta.url),
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  stdio: 'inherit',
  env,
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
process.exit(result.status ?? 1);
