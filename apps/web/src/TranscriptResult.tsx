import type { JobSnapshot } from '@jobkit/jobs';
import { lazy, Suspense } from 'react';

type TranscriptResultData = NonNullable<Extract<JobSnapshot, { kind: 'callTranscriptAnalysis' }>['result']>;

const SentimentChart = lazy(() => import('./SentimentChart.tsx'));

function clock(seconds: number | null): string {
  if (seconds === null) return '';
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')} `;
}

export function TranscriptResult({ result }: { result: TranscriptResultData }) {
  return (
    <div className="result">
      <p>
        {result.turns} turns{result.durationSeconds !== null ? ` over ${clock(result.durationSeconds).trim()} min` : ''} ·{' '}
        {result.interruptions.length} interruption{result.interruptions.length === 1 ? '' : 's'} · read as {result.format}
      </p>
      <h3>Speakers</h3>
      <div className="table-scroll">
        <table>
          <thead>
            <tr><th scope="col">Speaker</th><th scope="col">Talk time</th><th scope="col">Share</th><th scope="col">Turns</th><th scope="col">Questions</th><th scope="col">Mood</th></tr>
          </thead>
          <tbody>
            {result.speakers.map((speaker) => (
              <tr key={speaker.name}>
                <td>{speaker.name}</td>
                <td>{speaker.talkSeconds.toFixed(0)} s</td>
                <td>
                  <meter min={0} max={1} value={speaker.talkShare} aria-label={`${speaker.name}'s share`} /> {(speaker.talkShare * 100).toFixed(0)}%
                </td>
                <td>{speaker.turns}</td>
                <td>{speaker.questions}</td>
                <td><span className={`mood mood-${speaker.mood}`}>{speaker.mood}</span></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Sentiment over the call</h3>
      <Suspense fallback={<div style={{ height: 160 }} />}>
        <SentimentChart timeline={result.timeline} />
      </Suspense>
      <h3>Action items</h3>
      {result.actionItems.length === 0 ? <p className="muted">None found.</p> : (
        <ul>{result.actionItems.map((item, index) => <li key={index}>{clock(item.atSeconds)}<strong>{item.speaker}</strong>: {item.text}</li>)}</ul>
      )}
      <h3>Questions asked</h3>
      {result.questions.length === 0 ? <p className="muted">None.</p> : (
        <ul>{result.questions.map((item, index) => <li key={index}>{clock(item.atSeconds)}<strong>{item.speaker}</strong>: {item.text}</li>)}</ul>
      )}
      <h3>Keywords</h3>
      <p>{result.keywords.map((keyword) => keyword.term).join(', ') || '—'}</p>
    </div>
  );
}
