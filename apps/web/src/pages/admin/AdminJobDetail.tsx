import { isTerminalStatus, progressHistorySchema } from '@jobkit/jobs';
import { trpc, useAdminChanges } from '@jobkit/react';
import { Link, useLocation } from 'wouter';
import { formatDuration, formatTime } from '../../format.ts';
import { LiveBadge } from './LiveBadge.tsx';

function Json({ label, value }: { label: string; value: unknown }) {
  return (
    <details open={value !== null}>
      <summary>{label}</summary>
      <pre>{value === null ? '—' : JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}

export function AdminJobDetail({ jobId }: { jobId: string }) {
  const [, navigate] = useLocation();
  const utils = trpc.useUtils();
  const changes = useAdminChanges();
  const job = trpc.admin.getJob.useQuery(
    { jobId },
    { refetchInterval: (q) => (q.state.data && isTerminalStatus(q.state.data.status) ? false : changes.pollMs), retry: false },
  );
  const refresh = () => void utils.admin.invalidate();
  const retry = trpc.admin.retry.useMutation({ onSuccess: refresh });
  const cancel = trpc.admin.cancel.useMutation({ onSuccess: refresh });
  const remove = trpc.admin.delete.useMutation({
    onSuccess: (data) => {
      if (data.results[0]?.ok) navigate('/admin');
    },
  });
  if (job.error) return <p role="alert" className="panel error">{job.error.message}</p>;
  if (!job.data) return <p className="panel muted">Loading…</p>;
  const data = job.data;
  const history = progressHistorySchema.safeParse(data.progressHistory ?? []);
  const outcome = [...(retry.data?.results ?? []), ...(cancel.data?.results ?? []), ...(remove.data?.results ?? [])].at(-1);

  return (
    <main className="panel job">
      <p><Link href="/admin">← All jobs</Link></p>
      <h1>
        {data.title} <span className="muted small">{data.id}</span> <LiveBadge live={changes.live} />
      </h1>
      <p>
        <span className={`badge badge-${data.status}`}>{data.status}</span> owned by {data.owner.email} · attempt {data.attempt} of{' '}
        {data.maxAttempts} · created {formatTime(data.createdAt)}
        {data.finishedAt ? ` · finished ${formatTime(data.finishedAt)}` : ''}
      </p>
      <div className="bulk-actions" aria-live="polite">
        <button type="button" className="secondary" disabled={retry.isPending} onClick={() => { retry.mutate({ jobIds: [data.id] }); }}>Retry</button>
        <button type="button" className="secondary" disabled={cancel.isPending} onClick={() => { cancel.mutate({ jobIds: [data.id] }); }}>Cancel</button>
        <button
          type="button"
          className="secondary"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm('Delete this job and its history? This cannot be undone.')) remove.mutate({ jobIds: [data.id] });
          }}
        >
          Delete
        </button>
        {outcome && <span className={outcome.ok ? '' : 'error'}>{outcome.message}</span>}
      </div>
      <h2>Attempts</h2>
      {data.attempts.length === 0 ? (
        <p className="muted">Not started yet.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr><th scope="col">#</th><th scope="col">Worker</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Error</th></tr>
            </thead>
            <tbody>
              {data.attempts.map((attempt) => (
                <tr key={attempt.attempt}>
                  <td>{attempt.attempt}</td>
                  <td className="small">{attempt.workerId}</td>
                  <td>{formatTime(attempt.startedAt)}</td>
                  <td>{attempt.durationMs === null ? 'running' : formatDuration(attempt.durationMs)}</td>
                  <td><span className={`badge badge-${attempt.outcome}`}>{attempt.outcome}</span></td>
                  <td className="small">{attempt.error ? JSON.stringify(attempt.error).slice(0, 160) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Progress history</h2>
      {history.success && history.data.length > 0 ? (
        <ol className="summary">
          {history.data.map((entry) => (
            <li key={`${entry.attempt}-${entry.at}`}>
              {formatTime(entry.at)} · attempt {entry.attempt} · {entry.percent}% · {entry.message}
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No progress reported.</p>
      )}
      <Json label="Input" value={data.input} />
      <Json label="Result" value={data.result} />
      <Json label="Error" value={data.error} />
    </main>
  );
}
