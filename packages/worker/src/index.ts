export * from './handler.ts';
export * from './runner.ts';
export type { WorkerOptions } from './settings.ts';
export type { AbortReason } from './thread-protocol.ts';
export { onShutdownSignal } from './shutdown.ts';
export { signWebhook, verifyWebhook, type WebhookHeaders, type WebhookVerification } from './webhook-signature.ts';
export { workerEnvironmentShape, workerOptionsFrom, type WorkerEnvironment } from './environment.ts';
export { llmSettingsFrom, type LlmSettings } from './handlers/llm-client.ts';
