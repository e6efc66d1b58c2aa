export * from './handler.ts';
export * from './runner.ts';
export type { WorkerOptions } from './settings.ts';
export type { AbortReason } from './thread-protocol.ts';
export { onShutdownSignal } from './shutdown.ts';
export { workerEnvironmentShape, workerOptionsFrom, type WorkerEnvironment } from './environment.ts';
export type { AttemptEnd, WorkerObserver } from './observer.ts';
export type { WorkerLogger } from './logger.ts';
export { workerReadiness, workerReportIntervalMs, type WorkerReadiness } from './registry.ts';
