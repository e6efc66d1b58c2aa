import type { JobStatus } from '@jobkit/jobs';
import { trpc, useAdminChanges } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { formatTime } from '../../format.ts';
import { LoadOlder, StatusKindFilters } from '../../ListControls.tsx';
import { AdminStats } from './AdminStats.tsx';
import { LiveBadge } from './LiveBadge.tsx';
import { BulkActions } from './BulkActions.tsx';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function AdminJobs() {
  const [, navigate] = useLocation();
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [kind, setKind] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const filters = {
    limit: 50,
    status: status || undefined,
    kind: kind || undefined,
    ownerEmail: ownerEmail.trim() || undefined,
    createdFrom: from ? new Date(from).toISOString() : undefined,
    createdTo: to ? new Date(to).toISOString() : undefined,
  };
  const changes = useAdminChanges();
  const jobs = trpc.admin.listJobs.useInfiniteQuery(filters, {
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: changes.pollMs,
  });
  const items = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  const toggle = (id: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const openById = (event: SyntheticEvent) => {
    event.preventDefault();
    if (uuidPattern.test(search.trim())) navigate(`/admin/jobs/${search.trim()}`);
  };

  return (
    <main className="panel">
      <h1>
        Job viewer <LiveBadge live={changes.live} />
      </h1>
      <AdminStats pollMs={changes.pollMs} />
      <form className="filters" onSubmit={openById} role="search">
        <label>
          Job id{' '}
          <input value={search} placeholder="0199c1d2-…" onChange={(e) => { setSearch(e.target.value); }} aria-invalid={search !== '' && !uuidPattern.test(search.trim())} />
        </label>
        <button type="submit" className="secondary">Open</button>
      </form>
      <div className="filters">
        <StatusKindFilters status={status} kind={kind} onStatus={setStatus} onKind={setKind} />
        <label>
          Owner{' '}
          <input type="email" value={ownerEmail} placeholder="email" onChange={(e) => { setOwnerEmail(e.target.value); }} />
        </label>
        <label>
          From <input type="datetime-local" value={from} onChange={(e) => { setFrom(e.target.value); }} />
        </label>
        <label>
          To <input type="datetime-local" value={to} onChange={(e) => { setTo(e.target.value); }} />
        </label>
      </div>
      <BulkActions selected={[...selected]} onDone={() => { setSelected(new Set()); }} />
      {jobs.error && <p role="alert" className="error">{jobs.error.message}</p>}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col"><span className="visually-hidden">Select</span></th>
              <th scope="col">Job</th>
              <th scope="col">Owner</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((job) => (
              <tr key={job.id}>
                <td>
                  <input type="checkbox" aria-label={`Select job ${job.id}`} checked={selected.has(job.id)} onChange={() => { toggle(job.id); }} />
                </td>
                <td><Link href={`/admin/jobs/${job.id}`}>{job.title} <span className="muted small">…{job.id.slice(-8)}</span></Link></td>
                <td>{job.ownerEmail}</td>
                <td><span className={`badge badge-${job.status}`}>{job.status}</span></td>
                <td>{job.attempt} / {job.maxAttempts}</td>
                <td>{formatTime(job.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!jobs.isPending && items.length === 0 && <p className="muted">No jobs match.</p>}
      <LoadOlder list={jobs} />
    </main>
  );
}
