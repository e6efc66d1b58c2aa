export * from './claim.ts';
export * from './enqueue.ts';
export * from './notifications.ts';
export * from './transitions.ts';
