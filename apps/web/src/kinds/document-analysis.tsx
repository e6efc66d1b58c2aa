import { DocumentResult } from '../DocumentResult.tsx';
import { StartForm } from '../StartForm.tsx';
import { defineKindView, type FormProps } from './define-view.ts';

function DocumentForm(props: FormProps) {
  return <StartForm kind="documentAnalysis" {...props} />;
}

export const documentAnalysisView = defineKindView('documentAnalysis', {
  label: 'Document',
  hint: 'Counts, keywords and a summary of text, PDF or Word files.',
  Form: DocumentForm,
  Result: DocumentResult,
});
