import { isTerminalStatus, jobContracts, type JobSnapshot } from '@jobkit/jobs';
import { trpc, useJob } from '@jobkit/react';
import { useEffect, useState } from 'react';
import { DatasetResult } from '../DatasetResult.tsx';
import { DocumentResult } from '../DocumentResult.tsx';
import { formatDuration } from '../format.ts';
import { JobActions } from '../JobActions.tsx';
import { TranscriptResult } from '../TranscriptResult.tsx';

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

/** The result, rendered for its kind: `job.result` is typed by `job.kind`, no casts. */
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
  switch (job.kind) {
    case 'documentAnalysis':
      return <DocumentResult result={job.result} />;
    case 'callTranscriptAnalysis':
      return <TranscriptResult result={job.result} />;
    case 'datasetAnalysis':
      return <DatasetResult result={job.result} />;
    case 'llmAnalysis':
      return (
        <div className="result">
          <h3>Summary</h3>
          <p>{job.result.summary}</p>
          <h3>Key points</h3>
          <ul>{job.result.keyPoints.map((point, index) => <li key={index}>{point}</li>)}</ul>
          <p>
            Topics: {job.result.topics.join(', ') || '—'} · sentiment {job.result.sentiment} ·{' '}
            <span className="muted">written by {job.result.model}</span>
          </p>
        </div>
      );
    case 'webhookDelivery':
      return <p>Delivered with HTTP {job.result.httpStatus} at {new Date(job.result.deliveredAt).toLocaleString()}.</p>;
    case 'tracked':
      return <pre>{JSON.stringify(job.result, null, 2)}</pre>;
  }
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
