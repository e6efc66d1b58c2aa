import { useActiveJobs } from '@jobkit/react';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { StartForm } from '../StartForm.tsx';
import { TranscriptForm } from '../TranscriptForm.tsx';

const kinds = [
  { value: 'document', label: 'Document', hint: 'Counts, keywords and a summary of any text.' },
  { value: 'transcript', label: 'Call transcript', hint: 'Talk time, questions, action items and sentiment per speaker.' },
] as const;

export function NewAnalysis() {
  const [, navigate] = useLocation();
  const active = useActiveJobs();
  const [kind, setKind] = useState<(typeof kinds)[number]['value']>('document');
  const open = (jobId: string) => {
    navigate(`/jobs/${jobId}`);
  };
  return (
    <main className="columns">
      <section aria-labelledby="start-heading" className="panel">
        <h1 id="start-heading">New analysis</h1>
        <fieldset className="kind-choice">
          <legend>What to analyse</legend>
          {kinds.map((choice) => (
            <label key={choice.value}>
              <input type="radio" name="kind" value={choice.value} checked={kind === choice.value} onChange={() => { setKind(choice.value); }} />{' '}
              {choice.label} <span className="muted small">{choice.hint}</span>
            </label>
          ))}
        </fieldset>
        {kind === 'document' ? <StartForm onStarted={open} /> : <TranscriptForm onStarted={open} />}
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
