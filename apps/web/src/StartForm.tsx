import { maxDocumentLength } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';

/** Title and text in: the document analysis, or the LLM analysis of the same input. */
export function StartForm({ kind, onStarted }: { kind: 'documentAnalysis' | 'llmAnalysis'; onStarted: (jobId: string) => void }) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const start = useStartAnalysis()[kind];

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    start.mutate(
      { input: { text, title: title.trim() || undefined } },
      {
        onSuccess: ({ jobId }) => {
          onStarted(jobId);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="doc-title">Title (optional)</label>
      <input id="doc-title" value={title} maxLength={200} onChange={(e) => { setTitle(e.target.value); }} />
      <label htmlFor="doc-text">Text</label>
      <textarea
        id="doc-text"
        rows={12}
        value={text}
        maxLength={maxDocumentLength}
        placeholder="Paste a document, a report, an article..."
        onChange={(e) => { setText(e.target.value); }}
      />
      <div className="form-footer">
        <span className="muted">
          {text.length.toLocaleString()} / {maxDocumentLength.toLocaleString()} characters
        </span>
        <button type="submit" disabled={start.isPending}>
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
