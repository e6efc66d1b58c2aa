import { useCallback, useEffect, useState } from 'react';
import { JobView } from './JobView.tsx';
import { RecentJobs } from './RecentJobs.tsx';
import { StartForm } from './StartForm.tsx';

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

export function App() {
  const [jobId, openJob] = useOpenJob();
  return (
    <div className="layout">
      <header className="masthead">
        <h1>Analyses</h1>
        <p>Start an analysis; it runs in the background. You can close this tab and come back.</p>
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
