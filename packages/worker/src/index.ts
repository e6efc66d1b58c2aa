export * from './handler.ts';
export * from './runner.ts';
export { exponentialBackoff, type WorkerOptions } from './settings.ts';
export type { AbortReason } from './thread-protocol.ts';
export { onShutdownSignal } from './shutdown.ts';
