// First module of every handler thread when the engine runs from its sources (tests, `tsx watch`).
// Handlers are TypeScript there, so the thread registers tsx's loader before it imports them
// (built, threads start at dist/thread.js instead: see handler-threads.ts). Doing it here, rather
// than with `--import tsx` in the thread's execArgv, is what works the same on Node 20 and Node 24.
import { register } from 'tsx/esm/api';

register();
const { default: runTask } = await import('./thread.ts');

export default runTask;
