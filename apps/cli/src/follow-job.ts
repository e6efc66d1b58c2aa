import type { RouterOutputs } from '@jobkit/api';
import { isTerminalStatus } from '@jobkit/jobs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobkitClient } from './client.ts';
import { trpcCodeOf } from './exit-codes.ts';

export type Snapshot = RouterOutputs['jobs']['getJob'];

/** How often to ask when the server cannot push (a pooler without a LISTEN connection). */
const pollIntervalMs = 1_000;

/**
 * Follows a job to its end, calling `onChange` with each new snapshot: pushed over SSE
 * (`jobs.watchJob`, which resumes by itself after a dropped connection), or, where the server
 * answers SERVICE_UNAVAILABLE because it cannot LISTEN, polled with `jobs.pollJob`.
 */
export async function followJob(client: JobkitClient, jobId: string, onChange: (snapshot: Snapshot) => void): Promise<Snapshot> {
  try {
    return await streamJob(client, jobId, onChange);
  } catch (error) {
    if (trpcCodeOf(error) !== 'SERVICE_UNAVAILABLE') throw error;
    return pollJob(client, jobId, onChange);
  }
}

function streamJob(client: JobkitClient, jobId: string, onChange: (snapshot: Snapshot) => void): Promise<Snapshot> {
  return new Promise((resolve, reject) => {
    let last: Snapshot | undefined;
    const subscription = client.jobs.watchJob.subscribe(
      { jobId },
      {
        onData: ({ data: snapshot }) => {
          last = snapshot;
          onChange(snapshot);
          if (!isTerminalStatus(snapshot.status)) return;
          subscription.unsubscribe();
          resolve(snapshot);
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
        // The server ends the stream after the job's last snapshot, which onData resolved with.
        onComplete: () => {
          if (last && isTerminalStatus(last.status)) resolve(last);
          else reject(new Error(`The server closed the stream of job ${jobId} before the job ended.`));
        },
      },
    );
  });
}

async function pollJob(client: JobkitClient, jobId: string, onChange: (snapshot: Snapshot) => void): Promise<Snapshot> {
  let snapshot = await client.jobs.getJob.query({ jobId });
  onChange(snapshot);
  while (!isTerminalStatus(snapshot.status)) {
    await sleep(pollIntervalMs);
    const poll = await client.jobs.pollJob.query({ jobId, knownVersion: snapshot.version });
    if (!poll.changed) continue;
    snapshot = poll.job;
    onChange(snapshot);
  }
  return snapshot;
}
