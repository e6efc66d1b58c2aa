// The kinds this app has, and what they are made of: API, web app and worker import kinds from here.
export * from '@jobkit/contract';
export * from '@jobkit/analyses/contracts';
export { webhookDelivery } from '@jobkit/webhooks/contract';
export { emailNotification } from '@jobkit/email/contract';
export * from './registry.ts';
export * from './tracked.ts';
