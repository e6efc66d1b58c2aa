import type { JobStatus } from '@jobkit/jobs';
import { trpc } from '@jobkit/react';
import { useState } from 'react';
import { Link } from 'wouter';
import { formatTime } from '../format.ts';
import { LoadOlder, StatusKindFilters } from '../ListControls.tsx';


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
        <StatusKindFilters status={status} kind={kind} onStatus={setStatus} onKind={setKind} />
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
      <LoadOlder list={jobs} />
    </main>
  );
}
