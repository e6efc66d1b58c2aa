import { jobStatuses } from '@jobkit/jobs';
import { trpc } from '@jobkit/react';
import { Bar, BarChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/**
 * Counts by status and jobs started per minute over the last hour, refetched on each change tick
 * (the viewer's `useAdminChanges`), or every `pollMs` when that stream is down.
 */
export function AdminStats({ pollMs }: { pollMs: number | false }) {
  const stats = trpc.admin.stats.useQuery(undefined, { refetchInterval: pollMs });
  if (stats.error) return <p role="alert" className="error">{stats.error.message}</p>;
  const data = stats.data;
  const perMinute = (data?.perMinute ?? []).map((point) => ({
    ...point,
    label: new Date(point.minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
  }));
  return (
    <section aria-labelledby="stats-heading" className="stats-panel">
      <h2 id="stats-heading" className="visually-hidden">Overview</h2>
      <dl className="stats">
        {jobStatuses.map((status) => (
          <div key={status}>
            <dt>{status}</dt>
            <dd>{data ? data.countsByStatus[status].toLocaleString() : '…'}</dd>
          </div>
        ))}
      </dl>
      <figure className="chart">
        <figcaption className="muted small">Jobs started per minute, last hour</figcaption>
        <ResponsiveContainer width="100%" height={140}>
          <BarChart data={perMinute} margin={{ top: 8, right: 8, bottom: 0, left: -20 }}>
            <XAxis dataKey="label" interval={9} tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} />
            <Tooltip />
            <Bar dataKey="created" name="Started" fill="var(--accent)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </section>
  );
}
