import { trpc } from './trpc.ts';

export function RecentJobs({ openJobId, onOpen }: { openJobId: string | null; onOpen: (jobId: string) => void }) {
  const jobs = trpc.jobs.listJobs.useQuery(
    { limit: 10 },
    {
      // Keep statuses live while anything is still in flight.
      refetchInterval: (q) =>
        q.state.data?.items.some((job) => job.status === 'queued' || job.status === 'running') ? 2000 : false,
    },
  );
  if (jobs.error) return <p role="alert" className="error">{jobs.error.message}</p>;
  if (!jobs.data) return <p className="muted">Loading…</p>;
  if (jobs.data.items.length === 0) return <p className="muted">No jobs yet.</p>;
  return (
    <ul className="job-list">
      {jobs.data.items.map((job) => (
        <li key={job.id}>
          <button type="button" className="link" aria-current={job.id === openJobId} onClick={() => { onOpen(job.id); }}>
            <span className={`badge badge-${job.status}`}>{job.status}</span> {job.title}
            <span className="muted"> · {new Date(job.createdAt).toLocaleString()}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
