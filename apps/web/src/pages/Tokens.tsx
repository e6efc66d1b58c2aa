import { trpc } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { formatTime } from '../format.ts';

/** API tokens for programs: create (the token is shown once), see when each was last used, revoke. */
export function Tokens() {
  const utils = trpc.useUtils();
  const tokens = trpc.tokens.list.useQuery();
  const [name, setName] = useState('');
  const create = trpc.tokens.create.useMutation({ onSuccess: () => utils.tokens.list.invalidate() });
  const revoke = trpc.tokens.revoke.useMutation({ onSuccess: () => utils.tokens.list.invalidate() });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    create.mutate({ name }, { onSuccess: () => { setName(''); } });
  };
  return (
    <main className="panel">
      <h1>API tokens</h1>
      <p className="muted">Programs start and follow jobs with <code>Authorization: Bearer jk_…</code>. A token acts as you.</p>
      <form className="filters" onSubmit={submit}>
        <label>
          Name <input value={name} maxLength={100} placeholder="nightly import" onChange={(e) => { setName(e.target.value); }} />
        </label>
        <button type="submit" disabled={create.isPending}>Create token</button>
      </form>
      {create.data && (
        <p role="status" className="notice">
          Copy it now, it is not shown again: <code className="token">{create.data.token}</code>
        </p>
      )}
      {(create.error ?? revoke.error) && <p role="alert" className="error">{(create.error ?? revoke.error)?.message}</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span className="visually-hidden">Action</span></th></tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.id}>
                <td>{token.name}</td>
                <td>{formatTime(token.createdAt)}</td>
                <td>{token.lastUsedAt ? formatTime(token.lastUsedAt) : 'never'}</td>
                <td>
                  {token.revokedAt ? (
                    <span className="muted">revoked</span>
                  ) : (
                    <button type="button" className="secondary" disabled={revoke.isPending} onClick={() => { revoke.mutate({ id: token.id }); }}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
