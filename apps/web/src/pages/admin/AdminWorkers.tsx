import { trpc } from '@jobkit/react';
import { Link } from 'wouter';
import { formatTime } from '../../format.ts';

/** Workers report every 5 s; the page follows at that pace. */
const refreshMs = 5_000;

/**
 * The worker processes running now, from the registry each keeps itself in (`worker_process`):
 * where each runs, its release, how busy it is, when it was last heard from.
 */
export function AdminWorkers() {
  const list = trpc.workers.list.useQuery(undefined, { refetchInterval: refreshMs });
  const workers = list.data?.workers ?? [];
  const busy = workers.reduce((sum, worker) => sum + worker.runningJobs, 0);
  const slots = workers.reduce((sum, worker) => sum + worker.concurrency, 0);
  const releases = new Set(workers.map((worker) => worker.version));

  return (
    <main className="panel">
      <p><Link href="/admin">← Job viewer</Link></p>
      <h1>Workers</h1>
      {list.error && <p role="alert" className="error">{list.error.message}</p>}
      {workers.length > 0 && (
        <p className="muted">
          {workers.length} online · {busy} of {slots} slots busy{releases.size > 1 ? ` · ${releases.size} releases (a deploy is rolling)` : ''}
        </p>
      )}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Worker</th>
              <th scope="col">Running</th>
              <th scope="col">Release</th>
              <th scope="col">Started</th>
              <th scope="col">Last seen</th>
              <th scope="col">Kinds</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => (
              <tr key={worker.id}>
                <td>{worker.host} <span className="muted small">pid {worker.pid} · {worker.id}</span></td>
                <td>{worker.runningJobs} of {worker.concurrency}</td>
                <td><code>{worker.version}</code></td>
                <td>{formatTime(worker.startedAt)}</td>
                <td>{formatTime(worker.lastSeenAt)}</td>
                <td className="small">{worker.kinds.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!list.isPending && workers.length === 0 && (
        <p className="muted">No worker is running: start one with <code>pnpm worker</code>, or <code>pnpm start</code> with <code>RUN_WORKER</code> on.</p>
      )}
    </main>
  );
}
