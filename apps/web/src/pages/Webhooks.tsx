import { trpc } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { formatTime } from '../format.ts';

/**
 * Webhook endpoints: create (the signing secret is shown once), rotate a secret (the old one keeps
 * signing for a day beside the new), delete. Starts name an endpoint with `webhookEndpointId`.
 */
export function Webhooks() {
  const utils = trpc.useUtils();
  const endpoints = trpc.webhooks.list.useQuery();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const refresh = () => utils.webhooks.list.invalidate();
  const create = trpc.webhooks.create.useMutation({ onSuccess: refresh });
  const rotate = trpc.webhooks.rotateSecret.useMutation({ onSuccess: refresh });
  const remove = trpc.webhooks.delete.useMutation({ onSuccess: refresh });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    rotate.reset();
    create.mutate({ url, description }, { onSuccess: () => { setUrl(''); setDescription(''); } });
  };
  // The one secret to show: from the latest create or rotation, whichever came last.
  const shown = rotate.data ?? create.data;
  const error = create.error ?? rotate.error ?? remove.error;
  return (
    <main className="panel">
      <h1>Webhooks</h1>
      <p className="muted">
        A job started with <code>webhookEndpointId</code> POSTs to its endpoint when it finishes, signed per Standard Webhooks
        (<code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>) with the endpoint’s secret.
      </p>
      <form className="filters" onSubmit={submit}>
        <label>
          URL <input type="url" required value={url} maxLength={2000} placeholder="https://example.com/hooks/jobkit" onChange={(e) => { setUrl(e.target.value); }} />
        </label>
        <label>
          Description <input value={description} maxLength={200} placeholder="billing service" onChange={(e) => { setDescription(e.target.value); }} />
        </label>
        <button type="submit" disabled={create.isPending}>Create endpoint</button>
      </form>
      {shown && (
        <p role="status" className="notice">
          Signing secret{rotate.data ? ' (the previous one keeps signing until the overlap ends)' : ''}. Copy it now, it is not shown again:{' '}
          <code className="token">{shown.secret}</code>
        </p>
      )}
      {error && <p role="alert" className="error">{error.message}</p>}
      {endpoints.data && endpoints.data.length > 0 && (
        <table>
          <thead>
            <tr><th scope="col">URL</th><th scope="col">Description</th><th scope="col">Created</th><th scope="col">Previous secret</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            {endpoints.data.map((endpoint) => (
              <tr key={endpoint.id}>
                <td><code>{endpoint.url}</code></td>
                <td>{endpoint.description || <span className="muted">—</span>}</td>
                <td>{formatTime(endpoint.createdAt)}</td>
                <td>{endpoint.previousSecretExpiresAt ? `signs until ${formatTime(endpoint.previousSecretExpiresAt)}` : <span className="muted">none</span>}</td>
                <td>
                  <button type="button" className="secondary" disabled={rotate.isPending} onClick={() => { create.reset(); rotate.mutate({ id: endpoint.id }); }}>
                    Rotate secret
                  </button>{' '}
                  <button type="button" className="secondary" disabled={remove.isPending} onClick={() => { remove.mutate({ id: endpoint.id }); }}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
