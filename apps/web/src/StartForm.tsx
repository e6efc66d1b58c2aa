import { maxDocumentLength, type StoredFile } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import type { FormProps } from './kinds/define-view.ts';
import { SourceToggle, type Source } from './SourceToggle.tsx';
import { TextOrFile } from './TextOrFile.tsx';

/**
 * Title and a document in: pasted text, or (for the document analysis) an uploaded PDF, DOCX,
 * Markdown or text file. The LLM analysis takes the same pasted input.
 */
export function StartForm({ kind, onStarted, startOptions }: FormProps & { kind: 'documentAnalysis' | 'llmAnalysis' }) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [source, setSource] = useState<Source>('paste');
  const [file, setFile] = useState<StoredFile | null>(null);
  const starts = useStartAnalysis();
  const start = starts[kind];
  const uploading = kind === 'documentAnalysis' && source === 'upload';

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const onSuccess = ({ jobId }: { jobId: string }) => {
      onStarted(jobId);
    };
    const named = { title: title.trim() || undefined };
    if (uploading) {
      if (file) starts.documentAnalysis.mutate({ input: { ...named, fileId: file.fileId }, ...startOptions }, { onSuccess });
      return;
    }
    start.mutate({ input: { ...named, text }, ...startOptions }, { onSuccess });
  };

  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="doc-title">Title (optional)</label>
      <input id="doc-title" value={title} maxLength={200} onChange={(e) => { setTitle(e.target.value); }} />
      {kind === 'documentAnalysis' && <SourceToggle value={source} onChange={setSource} />}
      <TextOrFile
        source={uploading ? 'upload' : 'paste'}
        id="doc"
        textLabel="Text"
        fileLabel="File"
        accept={['pdf', 'docx', 'markdown', 'text']}
        onUploaded={setFile}
        text={text}
        onText={setText}
        maxLength={maxDocumentLength}
        placeholder="Paste a document, a report, an article..."
      />
      <div className="form-footer">
        <span className="muted">
          {uploading ? '' : `${text.length.toLocaleString()} / ${maxDocumentLength.toLocaleString()} characters`}
        </span>
        <button type="submit" disabled={start.isPending || (uploading && !file)}>
          {start.isPending ? 'Starting…' : 'Analyze'}
        </button>
      </div>
      {start.error && (
        <p role="alert" className="error">
          {start.error.message}
        </p>
      )}
    </form>
  );
}
