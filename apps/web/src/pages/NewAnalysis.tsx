import type { StartableKind } from '@jobkit/jobs';
import { trpc, useActiveJobs } from '@jobkit/react';
import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { kindViews, startableViews } from '../kinds/index.ts';

export function NewAnalysis() {
  const [, navigate] = useLocation();
  const active = useActiveJobs();
  const [kind, setKind] = useState<StartableKind>('documentAnalysis');
  // The server says which kinds it can run (the LLM one needs a configured model), and which start
  // options it can honour (e-mail needs a mail server).
  const available = trpc.analysis.kinds.useQuery();
  const unavailable = new Map((available.data ?? []).map((entry) => [entry.kind, entry.unavailable]));
  const emailOffered = trpc.analysis.startOptions.useQuery().data?.notifyByEmail.unavailable === null;
  const [notifyByEmail, setNotifyByEmail] = useState(false);
  const { Form } = kindViews[kind];
  const open = (jobId: string) => {
    navigate(`/jobs/${jobId}`);
  };
  return (
    <main className="columns">
      <section aria-labelledby="start-heading" className="panel">
        <h1 id="start-heading">New analysis</h1>
        <fieldset className="choices">
          <legend>What to analyse</legend>
          {startableViews.map((choice) => {
            const reason = unavailable.get(choice.kind) ?? null;
            return (
              <label key={choice.kind} title={reason ?? undefined}>
                <input
                  type="radio"
                  name="kind"
                  value={choice.kind}
                  checked={kind === choice.kind}
                  disabled={reason !== null}
                  onChange={() => { setKind(choice.kind); }}
                />{' '}
                {choice.label} <span className="muted small">{reason ?? choice.hint}</span>
              </label>
            );
          })}
        </fieldset>
        {emailOffered && (
          <fieldset className="choices">
            <legend>When it finishes</legend>
            <label>
              <input type="checkbox" checked={notifyByEmail} onChange={(e) => { setNotifyByEmail(e.target.checked); }} /> E-mail me when it
              finishes <span className="muted small">to the address you sign in with, a link to the job and none of its data</span>
            </label>
          </fieldset>
        )}
        <Form onStarted={open} startOptions={emailOffered && notifyByEmail ? { notifyByEmail: true } : {}} />
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
