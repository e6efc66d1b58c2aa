// What the API needs of webhooks (`@jobkit/worker/webhooks`): the same target check the
// deliveries run, and secrets in the form they sign with. No worker machinery comes with it.
export { checkWebhookTarget, parseWebhookAllowList, type ResolveHost, type TargetCheck, type WebhookAllowList } from './webhook-target.ts';
export { generateWebhookSecret } from './webhook-signature.ts';
