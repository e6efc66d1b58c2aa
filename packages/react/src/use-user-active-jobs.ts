import { isTerminalStatus, type JobStatus } from '@jobkit/jobs';
import { useEffect, useRef } from 'react';
import { useDocumentHidden } from './document-hidden.ts';
import { useStreamDelivering } from './stream-delivering.ts';
import { trpc } from './trpc.ts';

export interface FinishedJob {
  id: string;
  title: string;
  status: JobStatus;
}

export interface UserActiveJobsOptions {
  /** Called once for each listed job seen to finish (completed, failed or cancelled). */
  onFinished?: (job: FinishedJob) => void;
}

/** How often the list is polled when its stream is not delivering: often while the tab is seen, seldom while it is hidden. */
const visibleIntervalMs = 5_000;
const hiddenIntervalMs = 30_000;

/**
 * The signed-in user's queued and running analyses, from the server, so the list follows the user
 * across devices and browsers. Pushed by `jobs.watchActiveJobs` (SSE: again whenever one of the
 * user's jobs starts, progresses or ends), hidden tab included, so that it hears a job finish, for
 * a notification. While the stream is not delivering (refused behind a pooler, blocked, reconnecting)
 * `jobs.activeJobs` is polled instead, every 5 s in a visible tab and every 30 s in a hidden one,
 * and at once after this tab starts a job. A job that leaves the list is read once: only a finished
 * one is reported to `onFinished` (a job can also leave the list because newer ones pushed it out);
 * a job whose page this tab has open is not read again (see below).
 */
export function useUserActiveJobs(options: UserActiveJobsOptions = {}) {
  const utils = trpc.useUtils();
  const hidden = useDocumentHidden();
  const subscription = trpc.jobs.watchActiveJobs.useSubscription(undefined, {
    onData: (list) => {
      stream.delivered();
      utils.jobs.activeJobs.setData(undefined, list);
    },
  });
  const stream = useStreamDelivering(subscription.status);
  const query = trpc.jobs.activeJobs.useQuery(undefined, {
    refetchInterval: stream.delivering ? false : hidden ? hiddenIntervalMs : visibleIntervalMs,
    refetchIntervalInBackground: true,
    retry: false,
  });
  const onFinished = useRef(options.onFinished);
  useEffect(() => {
    onFinished.current = options.onFinished;
  });
  const listed = useRef<Map<string, string> | undefined>(undefined);
  const jobs = query.data?.jobs;
  useEffect(() => {
    if (!jobs) return;
    const before = listed.current;
    listed.current = new Map(jobs.map((job) => [job.id, job.title]));
    if (!before) return;
    for (const [jobId, title] of before) {
      if (listed.current.has(jobId)) continue;
      // A job this tab already follows (its page is open) is not asked for again: its own stream
      // or polls bring its end, and the page shows it. Only a job known to have ended is reported.
      const followed = utils.jobs.getJob.getData({ jobId });
      if (followed !== undefined) {
        if (isTerminalStatus(followed.status)) onFinished.current?.({ id: jobId, title, status: followed.status });
        continue;
      }
      utils.jobs.getJob.fetch({ jobId }).then(
        (job) => {
          if (isTerminalStatus(job.status)) onFinished.current?.({ id: jobId, title, status: job.status });
        },
        // Gone or unreadable (expired, deleted): nothing to tell.
        () => undefined,
      );
    }
  }, [jobs, utils]);
  return { total: query.data?.total ?? 0, jobs: jobs ?? [] };
}
