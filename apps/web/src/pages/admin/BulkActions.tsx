import { trpc } from '@jobkit/react';
import { useState } from 'react';

const actions = ['retry', 'cancel', 'delete'] as const;
type Action = (typeof actions)[number];
const labels: Record<Action, string> = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete' };

/** Retry, cancel or delete the selected jobs (deleting asks first), then says what happened. */
export function BulkActions({ selected, onDone }: { selected: string[]; onDone: () => void }) {
  const utils = trpc.useUtils();
  const [summary, setSummary] = useState('');
  const settle = (results: { ok: boolean; message: string }[]) => {
    const done = results.filter((result) => result.ok).length;
    const reasons = [...new Set(results.filter((result) => !result.ok).map((result) => result.message))];
    setSummary(`${done} of ${results.length} done.${reasons.length ? ` Not done: ${reasons.join(' ')}` : ''}`);
    void utils.admin.invalidate();
    onDone();
  };
  const retry = trpc.admin.retry.useMutation({ onSuccess: (data) => { settle(data.results); } });
  const cancel = trpc.admin.cancel.useMutation({ onSuccess: (data) => { settle(data.results); } });
  const remove = trpc.admin.delete.useMutation({ onSuccess: (data) => { settle(data.results); } });
  const mutations = { retry, cancel, delete: remove };
  const pending = retry.isPending || cancel.isPending || remove.isPending;
  const error = retry.error ?? cancel.error ?? remove.error;

  const run = (action: Action) => {
    if (action === 'delete' && !window.confirm(`Delete ${selected.length} job(s) and their history? This cannot be undone.`)) return;
    mutations[action].mutate({ jobIds: selected });
  };
  return (
    <div className="bulk-actions" aria-live="polite">
      <span className="muted">{selected.length} selected</span>
      {actions.map((action) => (
        <button key={action} type="button" className="secondary" disabled={selected.length === 0 || pending} onClick={() => { run(action); }}>
          {labels[action]}
        </button>
      ))}
      {summary && <span>{summary}</span>}
      {error && <span role="alert" className="error">{error.message}</span>}
    </div>
  );
}
