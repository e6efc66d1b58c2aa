import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { childMessage, type ChildMessage, type LoadSpec } from './protocol.ts';
import type { WorkerSpec } from './systems/types.ts';

const benchDir = fileURLToPath(new URL('../../', import.meta.url));
const serverDir = fileURLToPath(new URL('../../../apps/server/', import.meta.url));

type MessageOf<T extends ChildMessage['type']> = Extract<ChildMessage, { type: T }>;

/** A TypeScript child process talking over IPC, run by `node` (the current one or BENCH_NODE). */
export class Child {
  readonly process: ChildProcess;
  private readonly listeners = new Set<(message: ChildMessage) => void>();
  private exitError: Error | undefined;

  constructor(entry: string, argument: unknown, node: string) {
    this.process = fork(fileURLToPath(new URL(entry, import.meta.url)), [JSON.stringify(argument)], {
      execPath: node,
      // Our own loader flag: the benchmark's (tsx CLI) flags are not the child's business.
      execArgv: ['--import', 'tsx'],
      cwd: benchDir,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (raw) => {
      const parsed = childMessage.safeParse(raw);
      if (parsed.success) for (const listener of this.listeners) listener(parsed.data);
    });
    this.process.on('exit', (code, signal) => {
      this.exitError = new Error(`${entry} exited (${signal ?? `code ${code}`})`);
      for (const listener of this.listeners) listener({ type: 'failed', message: this.exitError.message });
    });
  }

  on(listener: (message: ChildMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next message of this type; a `failed` message or an exit rejects. */
  waitFor<T extends ChildMessage['type']>(type: T, timeoutMs = 120_000): Promise<MessageOf<T>> {
    return new Promise((resolve, reject) => {
      if (this.exitError) {
        reject(this.exitError);
        return;
      }
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on((message) => {
        if (message.type === 'failed' && type !== 'failed') {
          clearTimeout(timer);
          off();
          reject(new Error(message.message));
        } else if (isOfType(message, type)) {
          clearTimeout(timer);
          off();
          resolve(message);
        }
      });
    });
  }

  send(message: 'stop'): void {
    if (this.process.connected) this.process.send(message);
  }

  /** Waits for the process to end, killing it if it has not within `timeoutMs`. */
  async exited(timeoutMs = 30_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const timer = setTimeout(() => this.process.kill('SIGKILL'), timeoutMs);
    await once(this.process, 'exit');
    clearTimeout(timer);
  }
}

function isOfType<T extends ChildMessage['type']>(message: ChildMessage, type: T): message is MessageOf<T> {
  return message.type === type;
}

export interface WorkerProcesses {
  /** Node version each process reported. */
  node: string;
  onProbe(listener: (key: number, startedAt: number) => void): void;
  stop(): Promise<void>;
}

/** Starts `count` worker processes and resolves once every one is idle and listening. */
export async function startWorkerProcesses(count: number, spec: WorkerSpec, node: string): Promise<WorkerProcesses> {
  const children = Array.from({ length: count }, () => new Child('./child.ts', spec, node));
  try {
    const ready = await Promise.all(children.map((child) => child.waitFor('ready')));
    return {
      node: ready[0]?.node ?? 'unknown',
      onProbe(listener) {
        for (const child of children) child.on((message) => { if (message.type === 'probe') listener(message.key, message.startedAt); });
      },
      async stop() {
        await Promise.all(
          children.map(async (child) => {
            child.send('stop');
            await child.exited();
          }),
        );
      },
    };
  } catch (error) {
    for (const child of children) child.process.kill('SIGKILL');
    throw error;
  }
}

/** Starts autocannon in its own process; `finish` stops it (if it has no duration) and returns its result. */
export async function startLoad(spec: LoadSpec, node: string) {
  const child = new Child('./load-child.ts', spec, node);
  const result = child.waitFor('load', 3_600_000);
  result.catch(() => undefined);
  await child.waitFor('ready');
  return {
    async finish(): Promise<MessageOf<'load'>> {
      if (spec.seconds === undefined) child.send('stop');
      const load = await result;
      await child.exited();
      return load;
    },
  };
}

export interface ServerProcess {
  baseUrl: string;
  /** The server's own process (node itself, no shell between), for /proc readings of its CPU and memory. */
  pid: number;
  stop(): Promise<void>;
}

/** The real server (`apps/server/src/main.ts`, as `pnpm start` runs it), without its in-process worker. */
export async function startServer(databaseUrl: string, node: string): Promise<ServerProcess> {
  const child = spawn(node, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      RUN_WORKER: 'false',
      LOG_LEVEL: 'warn',
      // Per-user limits off (0): they exist for people, and a benchmark of the path must not hit
      // them. With them on, a start adds one query counting at most limit + 1 of the user's jobs.
      MAX_ACTIVE_JOBS_PER_USER: '0',
      MAX_STARTS_PER_MINUTE: '0',
      // The watchers of the `watch` workload are one bench user's thousands of streams.
      MAX_STREAMS_PER_USER: '0',
      // A direct connection, as the embedded database has: named statements (see README, Poolers).
      DATABASE_PREPARED_STATEMENTS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const banner = new Promise<string>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Jobkit is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', () => {
      reject(new Error(`the server exited before it was ready:\n${output}`));
    });
  });
  const baseUrl = await banner;
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process has no pid');
  return {
    baseUrl,
    pid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
