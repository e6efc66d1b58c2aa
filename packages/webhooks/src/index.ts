// Webhooks without worker machinery: the target check the deliveries run (the API checks endpoints
// with it too), secrets in the form they sign with, and the signature a receiver verifies.
export { checkWebhookTarget, parseWebhookAllowList, type ResolveHost, type TargetCheck, type WebhookAllowList } from './target.ts';
export { generateWebhookSecret, signWebhook, verifyWebhook, type WebhookHeaders, type WebhookVerification } from './signature.ts';
export { webhookEnvironmentShape } from './environment.ts';
// What the database enqueues when a job that names an endpoint finishes, written from the delivery
// contract at start by processes that run its handler (type-only database imports: nothing of pg is loaded here).
export { registerWebhookDeliveryKind } from './delivery-kind.ts';
