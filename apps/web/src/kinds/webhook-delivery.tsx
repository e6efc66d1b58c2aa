import { defineKindView, type ResultProps } from './define-view.ts';

function WebhookDeliveryResult({ result }: ResultProps<'webhookDelivery'>) {
  return <p>Delivered with HTTP {result.httpStatus} at {new Date(result.deliveredAt).toLocaleString()}.</p>;
}

// Started by the database when a job ends (internal): no form.
export const webhookDeliveryView = defineKindView('webhookDelivery', {
  label: 'Webhook delivery',
  hint: 'A signed POST of a finished job to a webhook endpoint.',
  Result: WebhookDeliveryResult,
});
