import { SingleBar } from 'cli-progress';
import type { Snapshot } from './follow-job.ts';
import type { Terminal } from './output.ts';

export interface ProgressDisplay {
  show(snapshot: Snapshot): void;
  stop(): void;
}

/**
 * Progress on standard error, so standard output keeps only the result: a bar on a terminal, a line
 * per change otherwise (a log or a CI job has no cursor to move).
 */
export function progressDisplay(terminal: Terminal): ProgressDisplay {
  if (terminal.stderr.isTTY) {
    const bar = new SingleBar({ stream: terminal.stderr, format: '{bar} {percentage}% {status} {message}', hideCursor: true, clearOnComplete: false });
    let started = false;
    return {
      show(snapshot) {
        const payload = { status: snapshot.status, message: snapshot.progressMessage ?? '' };
        if (!started) bar.start(100, snapshot.progress, payload);
        else bar.update(snapshot.progress, payload);
        started = true;
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let lastLine = '';
  return {
    show(snapshot) {
      const line = `${snapshot.status} ${snapshot.progress}%${snapshot.progressMessage ? ` ${snapshot.progressMessage}` : ''}`;
      if (line !== lastLine) terminal.stderr.write(`${line}\n`);
      lastLine = line;
    },
    stop: () => undefined,
  };
}
