import { isTerminalStatus, type JobSnapshot } from '@jobkit/jobs';
import { useEffect, useState } from 'react';
import { DocumentResult } from './DocumentResult.tsx';
import { JobActions } from './JobActions.tsx';
import { trpc } from './trpc.ts';

const pollEveryMs = 1000;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      setNow(Date.now());
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, [active]);
  return now;
}

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

const statusLabel = {
  queued: 'Waiting for a worker',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const;

/** The result, rendered for its kind: `job.result` is typed by `job.kind`, no casts. */
function JobResult({ job }: { job: JobSnapshot }) {
  if (!job.result) return null;
  switch (job.kind) {
    case 'documentAnalysis':
      return <DocumentResult result={job.result} />;
    case 'webhookDelivery':
      return <p>Delivered with HTTP {job.result.httpStatus} at {new Date(job.result.deliveredAt).toLocaleString()}.</p>;
  }
}

export function JobView({ jobId }: { jobId: string }) {
  // Poll while the job is queued or running; stop once it has finished.
  const query = trpc.jobs.getJob.useQuery(
    { jobId },
    { refetchInterval: (q) => (q.state.data && isTerminalStatus(q.state.data.status) ? false : pollEveryMs) },
  );
  const job = query.data;
  const finished = job !== undefined && isTerminalStatus(job.status);
  const now = useNow(job !== undefined && !finished);
  const utils = trpc.useUtils();
  // The job list polls slowly; refresh it the moment this job's outcome is known.
  useEffect(() => {
    if (finished) void utils.jobs.listJobs.invalidate();
  }, [finished, utils]);

  if (query.error) return <p role="alert" className="error">{query.error.message}</p>;
  if (!job) return <p className="muted">Loading…</p>;

  const startedAt = Date.parse(job.startedAt ?? job.createdAt);
  const endedAt = job.finishedAt ? Date.parse(job.finishedAt) : now;

  return (
    <article className="job" aria-busy={!isTerminalStatus(job.status)}>
      <div className="job-status">
        <span className={`badge badge-${job.status}`}>{statusLabel[job.status]}</span>
        <span className="muted">
          {formatDuration(endedAt - startedAt)}
          {job.attempt > 1 ? ` · attempt ${job.attempt} of ${job.maxAttempts}` : ''}
        </span>
      </div>
      <div className="progress">
        <progress max={100} value={job.progress} aria-label="Progress" />
        <span className="progress-text" aria-live="polite">
          {job.progress}% {job.status === 'running' ? job.progressMessage : ''}
        </span>
      </div>
      {job.error && (
        <p role="alert" className="error">
          {job.error.message} <span className="muted">({job.error.code})</span>
        </p>
      )}
      <JobActions job={job} />
      <JobResult job={job} />
      <p className="muted small">Job {job.id}</p>
    </article>
  );
}
