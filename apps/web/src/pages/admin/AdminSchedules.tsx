import { trpc } from '@jobkit/react';
import { Link } from 'wouter';
import { formatTime } from '../../format.ts';

/** Refetch just after the soonest next tick (when a job appears and the last tick moves), within 1-60 s. */
function untilSoonestTick(nextTicks: readonly (string | null)[]): number {
  const soonest = Math.min(...nextTicks.map((tick) => (tick === null ? Infinity : Date.parse(tick))));
  return Math.min(60_000, Math.max(1_000, soonest - Date.now() + 1_000));
}

function missedTicksText(missedTicks: 'skip' | { catchUp: number }): string {
  return missedTicks === 'skip' ? 'skipped' : `newest ${missedTicks.catchUp} caught up`;
}

/**
 * The schedules the code defines (defineSchedule in packages/jobs/src/schedules.ts), each with its
 * last and next tick, and Pause / Resume. Their jobs belong to the Scheduler user
 * (scheduler@jobkit.invalid) and are in the job viewer like any other.
 */
export function AdminSchedules() {
  const utils = trpc.useUtils();
  const list = trpc.schedules.list.useQuery(undefined, {
    refetchInterval: (query) => untilSoonestTick(query.state.data?.schedules.map((schedule) => schedule.nextTickAt) ?? []),
  });
  const refresh = () => void utils.schedules.invalidate();
  const pause = trpc.schedules.pause.useMutation({ onSuccess: refresh });
  const resume = trpc.schedules.resume.useMutation({ onSuccess: refresh });
  const pending = pause.isPending || resume.isPending;
  const error = list.error ?? pause.error ?? resume.error;
  const schedules = list.data?.schedules ?? [];

  return (
    <main className="panel">
      <p><Link href="/admin">← Job viewer</Link></p>
      <h1>Schedules</h1>
      {error && <p role="alert" className="error">{error.message}</p>}
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">When</th>
              <th scope="col">Missed ticks</th>
              <th scope="col">Last tick</th>
              <th scope="col">Next tick</th>
              <th scope="col">Status</th>
              <th scope="col"><span className="visually-hidden">Action</span></th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((schedule) => (
              <tr key={schedule.name}>
                <td>{schedule.name} <span className="muted small">{schedule.title}</span></td>
                <td><code>{schedule.cron}</code> <span className="muted small">{schedule.timeZone}</span></td>
                <td>{missedTicksText(schedule.missedTicks)}</td>
                <td>
                  {schedule.lastEnqueuedTick ? formatTime(schedule.lastEnqueuedTick) : '—'}
                  {schedule.lastJobId && <> <Link href={`/admin/jobs/${schedule.lastJobId}`}>job</Link></>}
                </td>
                <td>{schedule.nextTickAt ? formatTime(schedule.nextTickAt) : '—'}</td>
                <td>
                  <span className={schedule.paused ? 'badge badge-cancelled' : 'badge badge-completed'}>{schedule.paused ? 'paused' : 'active'}</span>
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    disabled={pending}
                    onClick={() => {
                      (schedule.paused ? resume : pause).mutate({ name: schedule.name });
                    }}
                  >
                    {schedule.paused ? 'Resume' : 'Pause'}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!list.isPending && schedules.length === 0 && (
        <p className="muted">
          No schedules are defined. Add one with <code>defineSchedule</code> in <code>packages/jobs/src/schedules.ts</code>.
        </p>
      )}
    </main>
  );
}
