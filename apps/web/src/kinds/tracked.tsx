import { defineKindView, type ResultProps } from './define-view.ts';

// Whatever the other system reported: no shape to lay out, so shown as JSON.
function TrackedResult({ result }: ResultProps<'tracked'>) {
  return <pre>{JSON.stringify(result, null, 2)}</pre>;
}

// Created and updated through the API by other systems (internal): no form.
export const trackedView = defineKindView('tracked', {
  label: 'Tracked job',
  hint: 'Work another system runs and reports here.',
  Result: TrackedResult,
});
