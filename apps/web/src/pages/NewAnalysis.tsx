import { useActiveJobs } from '@jobkit/react';
import { Link, useLocation } from 'wouter';
import { StartForm } from '../StartForm.tsx';

export function NewAnalysis() {
  const [, navigate] = useLocation();
  const active = useActiveJobs();
  return (
    <main className="columns">
      <section aria-labelledby="start-heading" className="panel">
        <h1 id="start-heading">New document analysis</h1>
        <StartForm
          onStarted={(jobId) => {
            navigate(`/jobs/${jobId}`);
          }}
        />
      </section>
      <section aria-labelledby="active-heading" className="panel">
        <h2 id="active-heading">Running from this browser</h2>
        {active.length === 0 ? (
          <p className="muted">Nothing running. Jobs you start stay here until they finish, even after a reload.</p>
        ) : (
          <ul className="job-list">
            {active.map((jobId) => (
              <li key={jobId}>
                <Link href={`/jobs/${jobId}`}>Job …{jobId.slice(-8)}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
