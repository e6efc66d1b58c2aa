import { fileDownloadPath, type JobSnapshot } from '@jobkit/jobs';
import { lazy, Suspense } from 'react';
import { formatBytes } from './format.ts';

const HistogramChart = lazy(() => import('./HistogramChart.tsx'));

type DatasetResultData = NonNullable<Extract<JobSnapshot, { kind: 'datasetAnalysis' }>['result']>;
type Column = DatasetResultData['columns'][number];

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

function range(column: Column): [string, string] {
  if (column.numeric) return [number.format(column.numeric.min), number.format(column.numeric.max)];
  if (column.dateRange) return [column.dateRange.min, column.dateRange.max];
  return ['—', '—'];
}

/** Green for positive, red for negative, as strong as the correlation. */
function correlationColour(r: number | null): string {
  if (r === null) return 'transparent';
  const hue = r >= 0 ? 140 : 0;
  return `hsla(${hue}, 60%, 45%, ${Math.abs(r) * 0.6})`;
}

function ColumnCard({ column }: { column: Column }) {
  return (
    <section className="column-card" aria-label={`Column ${column.name}`}>
      <h4>
        {column.name} <span className="badge">{column.type}</span>
      </h4>
      {column.numeric && (
        <>
          <p className="muted small">
            mean {number.format(column.numeric.mean)} · median {number.format(column.numeric.median)}
            {column.numeric.medianExact ? '' : ' (sampled)'} · std dev{' '}
            {column.numeric.stddev === null ? '—' : number.format(column.numeric.stddev)}
          </p>
          <Suspense fallback={<p className="muted">Loading chart…</p>}>
            <HistogramChart name={column.name} bins={column.numeric.histogram} />
          </Suspense>
        </>
      )}
      {column.booleans && (
        <p className="muted small">
          true {column.booleans.trueCount.toLocaleString()} · false {column.booleans.falseCount.toLocaleString()}
        </p>
      )}
      {(column.topValues[0]?.count ?? 0) > 1 ? (
        <ol className="top-values" aria-label="Most frequent values">
          {column.topValues.slice(0, 5).map((top) => (
            <li key={top.value}>
              <span>{top.value || '(blank)'}</span> <span className="muted">{top.count.toLocaleString()}</span>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted small">No value repeats.</p>
      )}
    </section>
  );
}

export function DatasetResult({ result }: { result: DatasetResultData }) {
  const numericNames = [...new Set(result.correlations.flatMap((pair) => [pair.columnA, pair.columnB]))];
  const correlation = (a: string, b: string) =>
    a === b ? 1 : result.correlations.find((pair) => (pair.columnA === a && pair.columnB === b) || (pair.columnA === b && pair.columnB === a))?.r ?? null;
  return (
    <div className="result">
      <p>
        <a className="button" href={fileDownloadPath(result.report.fileId)} download={result.report.name}>
          Download the Excel report
        </a>{' '}
        <span className="muted small">
          {result.report.name}, {formatBytes(result.report.size)}
        </span>
      </p>
      <dl className="stats">
        <div><dt>Rows</dt><dd>{result.rowCount.toLocaleString()}</dd></div>
        <div><dt>Columns</dt><dd>{result.columns.length}</dd></div>
        <div><dt>File</dt><dd className="small">{result.file.name}</dd></div>
        <div><dt>Size</dt><dd>{formatBytes(result.file.size)}</dd></div>
      </dl>
      <h3>Columns</h3>
      <div className="table-scroll">
        <table className="data-table">
          <thead>
            <tr>
              <th>Column</th><th>Type</th><th>Values</th><th>Empty</th><th>Null</th><th>Distinct</th><th>Min</th><th>Max</th><th>Mean</th><th>Median</th>
            </tr>
          </thead>
          <tbody>
            {result.columns.map((column) => {
              const [min, max] = range(column);
              return (
                <tr key={column.position}>
                  <td>{column.name}</td>
                  <td>{column.type}</td>
                  <td>{column.valueCount.toLocaleString()}</td>
                  <td>{column.emptyCount.toLocaleString()}</td>
                  <td>{column.nullCount.toLocaleString()}</td>
                  <td>{column.distinct.exact ? '' : '≈'}{column.distinct.count.toLocaleString()}</td>
                  <td>{min}</td>
                  <td>{max}</td>
                  <td>{column.numeric ? number.format(column.numeric.mean) : '—'}</td>
                  <td>{column.numeric ? number.format(column.numeric.median) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {numericNames.length > 1 && (
        <>
          <h3>Correlations (Pearson r)</h3>
          <div className="table-scroll">
            <table className="data-table correlations">
              <thead>
                <tr><th />{numericNames.map((name) => <th key={name}>{name}</th>)}</tr>
              </thead>
              <tbody>
                {numericNames.map((a) => (
                  <tr key={a}>
                    <th>{a}</th>
                    {numericNames.map((b) => {
                      const r = correlation(a, b);
                      return <td key={b} style={{ background: correlationColour(r) }}>{r === null ? '—' : r.toFixed(2)}</td>;
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h3>Each column</h3>
      <div className="column-grid">
        {result.columns.map((column) => <ColumnCard key={column.position} column={column} />)}
      </div>
    </div>
  );
}
