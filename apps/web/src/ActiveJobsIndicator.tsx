import { useUserActiveJobs, type FinishedJob } from '@jobkit/react';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';

const notificationsSupported = typeof window !== 'undefined' && 'Notification' in window;

/** A browser notification for a job that finished while this tab was hidden, if the user opted in. */
function notifyIfHidden(job: FinishedJob, open: (path: string) => void): void {
  if (!notificationsSupported || !document.hidden || Notification.permission !== 'granted') return;
  const notification = new Notification(`${job.title} ${job.status}`, { body: 'Open Jobkit to see it.', tag: job.id });
  notification.onclick = () => {
    window.focus();
    open(`/jobs/${job.id}`);
  };
}

/** The header's view of the signed-in user's active jobs, on every page, with links to each. */
export function ActiveJobsIndicator() {
  const [, navigate] = useLocation();
  const [permission, setPermission] = useState(() => (notificationsSupported ? Notification.permission : 'denied'));
  const { total, jobs } = useUserActiveJobs({ onFinished: (job) => { notifyIfHidden(job, navigate); } });
  if (total === 0) return null;
  return (
    <details className="active-jobs">
      <summary aria-label={`${total} active ${total === 1 ? 'job' : 'jobs'}`}>
        <span className="spinner" aria-hidden="true" /> {total} active
      </summary>
      <ul>
        {jobs.map((job) => (
          <li key={job.id}>
            <Link href={`/jobs/${job.id}`}>{job.title}</Link>
            <progress max={100} value={job.progress} aria-label={`${job.title} progress`} />
            <span className="muted">{job.status === 'queued' ? 'queued' : `${job.progress}%`}</span>
          </li>
        ))}
      </ul>
      {total > jobs.length && (
        <p className="muted">
          and {total - jobs.length} more in <Link href="/jobs">My jobs</Link>
        </p>
      )}
      {permission === 'default' && (
        <button type="button" className="secondary" onClick={() => { void Notification.requestPermission().then(setPermission); }}>
          Notify me when a job finishes
        </button>
      )}
    </details>
  );
}
