import { isTerminalStatus, type JobStatus } from '@jobkit/jobs';
import { useEffect, useRef, useState } from 'react';
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

/** How often the list is asked for: often while the tab is seen, seldom while it is hidden. */
const visibleIntervalMs = 5_000;
const hiddenIntervalMs = 30_000;

function useDocumentHidden(): boolean {
  const [hidden, setHidden] = useState(() => typeof document !== 'undefined' && document.hidden);
  useEffect(() => {
    const onChange = () => {
      setHidden(document.hidden);
    };
    document.addEventListener('visibilitychange', onChange);
    return () => {
      document.removeEventListener('visibilitychange', onChange);
    };
  }, []);
  return hidden;
}

/**
 * The signed-in user's queued and running analyses, from the server (`jobs.activeJobs`), so the
 * list follows the user across devices and browsers. Asked every 5 s in a visible tab and every
 * 30 s in a hidden one (so a hidden tab still hears that a job finished, for a notification), and at
 * once after this tab starts a job. A job that leaves the list is read once: only a finished one is
 * reported to `onFinished` (a job can also leave the list because newer ones pushed it out).
 */
export function useUserActiveJobs(options: UserActiveJobsOptions = {}) {
  const utils = trpc.useUtils();
  const hidden = useDocumentHidden();
  const query = trpc.jobs.activeJobs.useQuery(undefined, {
    refetchInterval: hidden ? hiddenIntervalMs : visibleIntervalMs,
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
