import { datasetDelimiters, type StoredFile } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { FilePicker } from './FilePicker.tsx';
import type { FormProps } from './kinds/define-view.ts';

const delimiterLabels = { auto: 'Detect', ',': 'Comma', ';': 'Semicolon', '\t': 'Tab', '|': 'Pipe' } as const;
const delimiters = ['auto', ...datasetDelimiters] as const;

/** A CSV or Excel upload, and how to read it. */
export function DatasetForm({ onStarted, startOptions }: FormProps) {
  const [file, setFile] = useState<StoredFile | null>(null);
  const [delimiter, setDelimiter] = useState<(typeof delimiters)[number]>('auto');
  const [hasHeader, setHasHeader] = useState(true);
  const [sheet, setSheet] = useState('');
  const start = useStartAnalysis().datasetAnalysis;
  const isExcel = file?.contentType.includes('spreadsheetml') ?? false;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!file) return;
    const options = isExcel ? { sheet: sheet.trim() || undefined } : { delimiter };
    start.mutate({ input: { fileId: file.fileId, hasHeader, ...options }, ...startOptions }, { onSuccess: ({ jobId }) => { onStarted(jobId); } });
  };
  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="dataset-file">CSV or Excel file</label>
      <FilePicker id="dataset-file" accept={['csv', 'xlsx']} onUploaded={setFile} />
      {isExcel ? (
        <>
          <label htmlFor="dataset-sheet">Sheet (optional, the first one otherwise)</label>
          <input id="dataset-sheet" value={sheet} maxLength={31} onChange={(e) => { setSheet(e.target.value); }} />
        </>
      ) : (
        <>
          <label htmlFor="dataset-delimiter">Delimiter</label>
          <select
            id="dataset-delimiter"
            value={delimiter}
            onChange={(e) => { setDelimiter(delimiters.find((d) => d === e.target.value) ?? 'auto'); }}
          >
            {delimiters.map((d) => (
              <option key={d} value={d}>{delimiterLabels[d]}</option>
            ))}
          </select>
        </>
      )}
      <label>
        <input type="checkbox" checked={hasHeader} onChange={(e) => { setHasHeader(e.target.checked); }} /> The first row holds the column names
      </label>
      <div className="form-footer">
        <span />
        <button type="submit" disabled={start.isPending || !file}>{start.isPending ? 'Starting…' : 'Analyze'}</button>
      </div>
      {start.error && <p role="alert" className="error">{start.error.message}</p>}
    </form>
  );
}
