import { useState, type SyntheticEvent } from 'react';
import { trpc } from '@jobkit/react';

export function SignIn() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const utils = trpc.useUtils();
  const signIn = trpc.auth.signIn.useMutation({
    onSuccess: () => utils.invalidate(),
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };
  return (
    <main className="sign-in panel">
      <h1>Sign in</h1>
      <form onSubmit={submit} className="start-form">
        <label htmlFor="email">Email</label>
        <input id="email" type="email" autoComplete="username" required value={email} onChange={(e) => { setEmail(e.target.value); }} />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => { setPassword(e.target.value); }}
        />
        <div className="form-footer">
          <span className="muted">The local run prints demo accounts when it starts.</span>
          <button type="submit" disabled={signIn.isPending}>
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
        {signIn.error && (
          <p role="alert" className="error">
            {signIn.error.message}
          </p>
        )}
      </form>
    </main>
  );
}
