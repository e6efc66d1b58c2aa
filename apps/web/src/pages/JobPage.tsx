import { isTerminalStatus, jobContracts, type JobKind, type JobSnapshot } from '@jobkit/jobs';
import { trpc, useJob } from '@jobkit/react';
import { useEffect, useState } from 'react';
import { formatDuration } from '../format.ts';
import { JobActions } from '../JobActions.tsx';
import { kindViews, type ResultProps } from '../kinds/index.ts';

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

const statusLabel = {
  queued: 'Waiting for a worker',
  running: 'Running',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
} as const;

/**
 * A result rendered by its kind's view. Generic over the kind so `views[kind].Result` and `result`
 * are checked against the same `K` (the correlated-union pattern, TypeScript #47109), no casts.
 */
function KindResult<K extends JobKind>({ kind, result }: { kind: K } & ResultProps<K>) {
  const { Result } = kindViews[kind];
  return <Result result={result} />;
}

/** The result, or the stored one another version of the kind made. */
function JobResult({ job }: { job: JobSnapshot }) {
  // A result another version of the kind made, which today's view cannot read: shown as stored.
  if (job.storedResult) {
    return (
      <div className="result">
        <p className="muted">{job.storedResult.reason}</p>
        <pre>{JSON.stringify(job.storedResult.data, null, 2)}</pre>
      </div>
    );
  }
  if (!job.result) return null;
  return <KindResult kind={job.kind} result={job.result} />;
}

export function JobPage({ jobId }: { jobId: string }) {
  const { job, state, error, resume } = useJob(jobId);
  const finished = job !== undefined && isTerminalStatus(job.status);
  const now = useNow(job !== undefined && !finished);
  const utils = trpc.useUtils();
  // The job list polls slowly; refresh it the moment this job's outcome is known.
  useEffect(() => {
    if (finished) void utils.jobs.listJobs.invalidate();
  }, [finished, utils]);

  if (!job) {
    if (state === 'loading') return <p className="panel muted">Loading…</p>;
    return <p role="alert" className="panel error">{error}</p>;
  }
  const startedAt = Date.parse(job.startedAt ?? job.createdAt);
  const endedAt = job.finishedAt ? Date.parse(job.finishedAt) : now;

  return (
    <main className="panel job" aria-busy={!finished}>
      <h1>{jobContracts[job.kind].title}</h1>
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
      <div className="notice" aria-live="polite">
        {state === 'gave-up' && (
          <p>
            Stopped checking; the job keeps running on the server.{' '}
            <button type="button" className="link" onClick={resume}>
              Check again
            </button>
          </p>
        )}
        {state === 'polling' && error && <p className="error">Connection problem ({error}); retrying…</p>}
      </div>
      {job.error && (
        <p role="alert" className="error">
          {job.error.message} <span className="muted">({job.error.code})</span>
        </p>
      )}
      <JobActions job={job} />
      <JobResult job={job} />
      <p className="muted small">Job {job.id}</p>
    </main>
  );
}
