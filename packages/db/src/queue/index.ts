export * from './claim.ts';
export * from './control.ts';
export * from './enqueue.ts';
export * from './maintenance.ts';
export * from './notifications.ts';
export * from './transitions.ts';
export * from './running.ts';
export * from './tracked.ts';
