import { useCallback, useEffect, useState } from 'react';
import { JobView } from './JobView.tsx';
import { RecentJobs } from './RecentJobs.tsx';
import { SignIn } from './SignIn.tsx';
import { StartForm } from './StartForm.tsx';
import { trpc } from './trpc.ts';

/** The open job lives in the URL (?job=...), so a reload or a shared link comes back to it. */
function useOpenJob(): [string | null, (jobId: string | null) => void] {
  const read = () => new URLSearchParams(window.location.search).get('job');
  const [jobId, setJobId] = useState(read);
  useEffect(() => {
    const onPop = () => {
      setJobId(read());
    };
    window.addEventListener('popstate', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
    };
  }, []);
  const open = useCallback((next: string | null) => {
    const url = next ? `?job=${encodeURIComponent(next)}` : window.location.pathname;
    window.history.pushState(null, '', url);
    setJobId(next);
  }, []);
  return [jobId, open];
}

function SignOut({ name }: { name: string }) {
  const utils = trpc.useUtils();
  const signOut = trpc.auth.signOut.useMutation({ onSuccess: () => utils.invalidate() });
  return (
    <div className="account">
      <span className="muted">{name}</span>
      <button type="button" className="secondary" disabled={signOut.isPending} onClick={() => { signOut.mutate(); }}>
        Sign out
      </button>
    </div>
  );
}

export function App() {
  const me = trpc.auth.me.useQuery();
  if (me.isPending) return <p className="layout muted">Loading…</p>;
  if (me.error) return <p role="alert" className="layout error">{me.error.message}</p>;
  if (!me.data) return <SignIn />;
  return <Workspace name={me.data.name} />;
}

function Workspace({ name }: { name: string }) {
  const [jobId, openJob] = useOpenJob();
  return (
    <div className="layout">
      <header className="masthead">
        <div>
          <h1>Analyses</h1>
          <p>Start an analysis; it runs in the background. You can close this tab and come back.</p>
        </div>
        <SignOut name={name} />
      </header>
      <main className="columns">
        <section aria-labelledby="start-heading" className="panel">
          <h2 id="start-heading">New document analysis</h2>
          <StartForm onStarted={openJob} />
        </section>
        <section aria-labelledby="job-heading" className="panel">
          <h2 id="job-heading">Job</h2>
          {jobId ? <JobView jobId={jobId} /> : <p className="muted">Start an analysis or pick one of your jobs.</p>}
        </section>
      </main>
      <section aria-labelledby="recent-heading" className="panel">
        <h2 id="recent-heading">My jobs</h2>
        <RecentJobs openJobId={jobId} onOpen={openJob} />
      </section>
    </div>
  );
}
