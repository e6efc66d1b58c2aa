// Checked by `tsc --noEmit` (apps/web's tsconfig includes src), never bundled: each
// `@ts-expect-error` below is a mistake the view registry must refuse to compile.
import { DatasetResult } from '../DatasetResult.tsx';
import { defineKindView } from './define-view.ts';
import { kindViews, type KindViews } from './index.ts';
import { webhookDeliveryView } from './webhook-delivery.tsx';

const text = { label: 'A kind', hint: 'What it gives.' };
const NoForm = () => null;

/** A Result reading a field its kind's output lacks (`wordCount` is a document analysis field). */
export const readsMissingField = defineKindView('llmAnalysis', {
  ...text,
  Form: NoForm,
  // @ts-expect-error -- the LLM analysis output has no `wordCount`
  Result: ({ result }) => <p>{result.wordCount}</p>,
});

/** The same Result, reading fields the output has, compiles: the error above is the field's. */
export const readsOwnFields = defineKindView('llmAnalysis', { ...text, Form: NoForm, Result: ({ result }) => <p>{result.summary}</p> });

/** Another kind's Result component. */
// @ts-expect-error -- DatasetResult takes a dataset analysis result, not an LLM analysis one
export const wrongResult = defineKindView('llmAnalysis', { ...text, Form: NoForm, Result: DatasetResult });

/** A startable kind without a Form: the "New analysis" page could not offer it. */
// @ts-expect-error -- `Form` is required for a startable kind
export const startableWithoutForm = defineKindView('datasetAnalysis', { ...text, Result: DatasetResult });

/** An internal kind with a Form: nobody starts it from the web app. */
export const internalWithForm = defineKindView('webhookDelivery', {
  ...text,
  Result: webhookDeliveryView.Result,
  // @ts-expect-error -- internal kinds have no Form
  Form: NoForm,
});

const withoutTracked: Omit<KindViews, 'tracked'> = kindViews;
/** A registry missing a kind. */
// @ts-expect-error -- `tracked` has no view
export const missingKind: KindViews = withoutTracked;

/** A view registered under another kind's key. */
// @ts-expect-error -- the webhook delivery view is not the tracked kind's view
export const misfiled: KindViews = { ...kindViews, tracked: webhookDeliveryView };
