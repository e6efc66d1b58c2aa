import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export interface TestProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first match of `pattern` in what the process printed; rejects, with its output, if it ends first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends the signal (SIGKILL by default) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

interface ProcessOptions {
  cwd: string;
  env: Record<string, string>;
  /** Run as this user (the caller must be root): the uid and primary group, as a login would have. */
  account?: { uid: number; gid: number } | undefined;
}

/** Runs a TypeScript entry point as a real Node process, through tsx, as `pnpm dev` runs the apps. */
export function startTypeScriptProcess(entry: string, options: ProcessOptions): TestProcess {
  return startNodeProcess(['--import', 'tsx', entry], options);
}

/**
 * Runs a built entry point (`dist/…js`) as `pnpm start` and `pnpm worker` do: plain `node`, the
 * workspace packages resolved to their dist/ by the "@jobkit/dist" export condition. Node 20
 * refuses a `.ts` module outright, so a process that gets going loaded no TypeScript.
 */
export function startBuiltProcess(entry: string, options: ProcessOptions): TestProcess {
  return startNodeProcess(['--conditions=@jobkit/dist', entry], options);
}

function startNodeProcess(args: string[], options: ProcessOptions): TestProcess {
  const entry = args.at(-1) ?? '';
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: options.account?.uid,
    gid: options.account?.gid,
  });
  let output = '';
  // Set once the process has exited and its output is all read ('close', not 'exit').
  let ended: string | undefined;
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  child.on('close', (code, signal) => {
    ended = signal ?? `code ${String(code)}`;
    for (const listener of listeners) listener();
  });
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        // A process that dies at start (a module not built, a bad setting) says why at once,
        // rather than after the whole timeout.
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            cleanup();
            resolve(match);
          } else if (ended !== undefined) {
            cleanup();
            reject(new Error(`${entry} ended (${ended}) before printing ${pattern}. Output:\n${output}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${entry} did not print ${pattern} within ${timeoutMs} ms. Output:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}
