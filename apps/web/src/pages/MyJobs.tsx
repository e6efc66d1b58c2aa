import { jobStatuses, jobContracts, type JobStatus } from '@jobkit/jobs';
import { trpc } from '@jobkit/react';
import { useState } from 'react';
import { Link } from 'wouter';
import { formatTime } from '../format.ts';

const kinds = Object.values(jobContracts).map((contract) => ({ kind: contract.kind, title: contract.title }));

export function MyJobs() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [kind, setKind] = useState('');
  const jobs = trpc.jobs.listJobs.useInfiniteQuery(
    { limit: 20, status: status || undefined, kind: kind || undefined },
    {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
      // Live statuses while anything listed is still in flight.
      refetchInterval: (query) =>
        query.state.data?.pages.some((page) => page.items.some((job) => job.status === 'queued' || job.status === 'running'))
          ? 3000
          : false,
    },
  );
  const items = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <main className="panel">
      <h1>My jobs</h1>
      <div className="filters">
        <label>
          Status{' '}
          <select value={status} onChange={(e) => { setStatus(jobStatuses.find((s) => s === e.target.value) ?? ''); }}>
            <option value="">Any</option>
            {jobStatuses.map((s) => (
              <option key={s} value={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Kind{' '}
          <select value={kind} onChange={(e) => { setKind(e.target.value); }}>
            <option value="">Any</option>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>{k.title}</option>
            ))}
          </select>
        </label>
      </div>
      {jobs.error && <p role="alert" className="error">{jobs.error.message}</p>}
      {jobs.isPending ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">No jobs match.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
            </tr>
          </thead>
          <tbody>
            {items.map((job) => (
              <tr key={job.id}>
                <td><Link href={`/jobs/${job.id}`}>{job.title}</Link></td>
                <td><span className={`badge badge-${job.status}`}>{job.status}</span>{job.status === 'running' ? ` ${job.progress}%` : ''}</td>
                <td>{formatTime(job.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {jobs.hasNextPage && (
        <button type="button" className="secondary" disabled={jobs.isFetchingNextPage} onClick={() => void jobs.fetchNextPage()}>
          {jobs.isFetchingNextPage ? 'Loading…' : 'Show older jobs'}
        </button>
      )}
    </main>
  );
}
