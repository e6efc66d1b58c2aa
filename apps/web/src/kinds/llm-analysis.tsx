import { StartForm } from '../StartForm.tsx';
import { defineKindView, type FormProps, type ResultProps } from './define-view.ts';

/** The LLM analysis takes the same pasted input as the document analysis (no upload). */
function LlmForm(props: FormProps) {
  return <StartForm kind="llmAnalysis" {...props} />;
}

function LlmResult({ result }: ResultProps<'llmAnalysis'>) {
  return (
    <div className="result">
      <h3>Summary</h3>
      <p>{result.summary}</p>
      <h3>Key points</h3>
      <ul>{result.keyPoints.map((point, index) => <li key={index}>{point}</li>)}</ul>
      <p>
        Topics: {result.topics.join(', ') || '—'} · sentiment {result.sentiment} ·{' '}
        <span className="muted">written by {result.model}</span>
      </p>
    </div>
  );
}

export const llmAnalysisView = defineKindView('llmAnalysis', {
  label: 'Ask a language model',
  hint: 'Summary, key points and topics written by a model.',
  Form: LlmForm,
  Result: LlmResult,
});
