import { DatasetForm } from '../DatasetForm.tsx';
import { DatasetResult } from '../DatasetResult.tsx';
import { defineKindView } from './define-view.ts';

export const datasetAnalysisView = defineKindView('datasetAnalysis', {
  label: 'Dataset',
  hint: 'Column statistics, histograms and correlations of a CSV or Excel file, with an Excel report.',
  Form: DatasetForm,
  Result: DatasetResult,
});
