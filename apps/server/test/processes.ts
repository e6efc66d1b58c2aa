import { startTypeScriptProcess, type TestProcess } from '@jobkit/db/testing';
import { fileURLToPath } from 'node:url';

const appsDir = fileURLToPath(new URL('../../', import.meta.url));

/** Starts `apps/<app>/src/main.ts` as a real process, as `pnpm start` / `pnpm worker` do. */
export function startApp(app: 'server' | 'worker', env: Record<string, string>): TestProcess {
  return startTypeScriptProcess('src/main.ts', { cwd: `${appsDir}${app}`, env: { LOG_LEVEL: 'warn', ...env } });
}
