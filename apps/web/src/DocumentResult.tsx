import type { JobSnapshot } from '@jobkit/jobs';
import { lazy, Suspense } from 'react';

// The chart library loads only when a result has something to chart.
const KeywordChart = lazy(() => import('./KeywordChart.tsx'));

type DocumentAnalysisResult = NonNullable<Extract<JobSnapshot, { kind: 'documentAnalysis' }>['result']>;

export function DocumentResult({ result }: { result: DocumentAnalysisResult }) {
  const stats = [
    ['Words', result.wordCount.toLocaleString()],
    ['Unique words', result.uniqueWordCount.toLocaleString()],
    ['Sentences', result.sentenceCount.toLocaleString()],
    ['Paragraphs', result.paragraphCount.toLocaleString()],
    ['Words per sentence', result.averageWordsPerSentence.toString()],
    ['Reading time', `${result.readingTimeMinutes} min`],
    ...(result.language ? [['Language', result.language.name] as const] : []),
    ...(result.readability ? [['Reading ease', `${result.readability.readingEase} (grade ${result.readability.grade})`] as const] : []),
  ];
  return (
    <div className="result">
      {result.source && (
        <p className="muted">
          From {result.source.name}
          {result.source.pageCount === undefined ? '' : ` · ${result.source.pageCount} pages`}
        </p>
      )}
      <dl className="stats">
        {stats.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h3>Summary</h3>
      <ol className="summary">
        {result.summary.map((line) => (
          <li key={line.position}>{line.sentence}</li>
        ))}
      </ol>
      {result.outline && result.outline.length > 0 && (
        <>
          <h3>Outline</h3>
          <ul className="outline">
            {result.outline.map((heading, index) => (
              <li key={index} style={{ marginLeft: `${heading.level - 1}rem` }}>{heading.title}</li>
            ))}
          </ul>
        </>
      )}
      {result.entities && (
        <>
          <h3>Named in the text</h3>
          <dl className="entities">
            <dt>Dates</dt>
            <dd>{result.entities.dates.map((d) => `${d.text} (${d.date})`).join(', ') || '—'}</dd>
            <dt>Amounts</dt>
            <dd>{result.entities.amounts.join(', ') || '—'}</dd>
            <dt>Emails</dt>
            <dd>{result.entities.emails.join(', ') || '—'}</dd>
          </dl>
        </>
      )}
      <h3>Top keywords</h3>
      {result.topKeywords.length > 0 && (
        <Suspense fallback={<div style={{ height: Math.max(120, result.topKeywords.length * 26) }} />}>
          <KeywordChart keywords={result.topKeywords} />
        </Suspense>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Keyword</th>
            <th scope="col">Count</th>
            <th scope="col">TF-IDF</th>
          </tr>
        </thead>
        <tbody>
          {result.topKeywords.map((keyword) => (
            <tr key={keyword.term}>
              <td>{keyword.term}</td>
              <td>{keyword.count}</td>
              <td>{keyword.score}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
