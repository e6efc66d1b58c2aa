import { trpc, useActiveJobs } from '@jobkit/react';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { DatasetForm } from '../DatasetForm.tsx';
import { StartForm } from '../StartForm.tsx';
import { TranscriptForm } from '../TranscriptForm.tsx';

const kinds = [
  { value: 'documentAnalysis', label: 'Document', hint: 'Counts, keywords and a summary of text, PDF or Word files.' },
  { value: 'datasetAnalysis', label: 'Dataset', hint: 'Column statistics, histograms and correlations of a CSV or Excel file, with an Excel report.' },
  { value: 'callTranscriptAnalysis', label: 'Call transcript', hint: 'Talk time, questions, action items and sentiment per speaker.' },
  { value: 'llmAnalysis', label: 'Ask a language model', hint: 'Summary, key points and topics written by a model.' },
] as const;

export function NewAnalysis() {
  const [, navigate] = useLocation();
  const active = useActiveJobs();
  const [kind, setKind] = useState<(typeof kinds)[number]['value']>('documentAnalysis');
  // The server says which kinds it can run (the LLM one needs a configured model).
  const available = trpc.analysis.kinds.useQuery();
  const unavailable = new Map((available.data ?? []).map((entry) => [entry.kind, entry.unavailable]));
  const open = (jobId: string) => {
    navigate(`/jobs/${jobId}`);
  };
  return (
    <main className="columns">
      <section aria-labelledby="start-heading" className="panel">
        <h1 id="start-heading">New analysis</h1>
        <fieldset className="kind-choice">
          <legend>What to analyse</legend>
          {kinds.map((choice) => {
            const reason = unavailable.get(choice.value) ?? null;
            return (
              <label key={choice.value} title={reason ?? undefined}>
                <input
                  type="radio"
                  name="kind"
                  value={choice.value}
                  checked={kind === choice.value}
                  disabled={reason !== null}
                  onChange={() => { setKind(choice.value); }}
                />{' '}
                {choice.label} <span className="muted small">{reason ?? choice.hint}</span>
              </label>
            );
          })}
        </fieldset>
        {kind === 'callTranscriptAnalysis' ? (
          <TranscriptForm onStarted={open} />
        ) : kind === 'datasetAnalysis' ? (
          <DatasetForm onStarted={open} />
        ) : (
          <StartForm kind={kind} onStarted={open} />
        )}
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
