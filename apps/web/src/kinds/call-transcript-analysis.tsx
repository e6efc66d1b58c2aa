import { TranscriptForm } from '../TranscriptForm.tsx';
import { TranscriptResult } from '../TranscriptResult.tsx';
import { defineKindView } from './define-view.ts';

export const callTranscriptAnalysisView = defineKindView('callTranscriptAnalysis', {
  label: 'Call transcript',
  hint: 'Talk time, questions, action items and sentiment per speaker.',
  Form: TranscriptForm,
  Result: TranscriptResult,
});
