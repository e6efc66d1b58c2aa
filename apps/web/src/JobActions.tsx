import type { JobSnapshot } from '@jobkit/jobs';
import { trpc } from '@jobkit/react';

/** Cancel while the job is queued or running; Retry once it failed or was cancelled. */
export function JobActions({ job }: { job: JobSnapshot }) {
  const utils = trpc.useUtils();
  const refresh = () => {
    void utils.jobs.getJob.invalidate({ jobId: job.id });
    void utils.jobs.listJobs.invalidate();
  };
  const cancel = trpc.jobs.cancelJob.useMutation({ onSuccess: refresh });
  const retry = trpc.jobs.retryJob.useMutation({ onSuccess: refresh });
  const error = cancel.error ?? retry.error;
  const running = job.status === 'queued' || job.status === 'running';
  const retryable = job.status === 'failed' || job.status === 'cancelled';
  if (!running && !retryable && !error) return null;

  return (
    <div className="job-actions">
      {running && (
        <button
          type="button"
          className="secondary"
          disabled={job.cancelRequested || cancel.isPending}
          onClick={() => {
            cancel.mutate({ jobId: job.id });
          }}
        >
          {job.cancelRequested ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
      {retryable && (
        <button
          type="button"
          className="secondary"
          disabled={retry.isPending}
          onClick={() => {
            retry.mutate({ jobId: job.id });
          }}
        >
          Retry
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
    </div>
  );
}
