export * from './define.ts';
export { PayloadUpcastRefused, UnreadablePayloadVersion, type PreviousInputs, type Upcasters } from './payload-versions.ts';
export { boundedJson } from './json.ts';
export * from './files.ts';
export * from './storable.ts';
export { progressHistorySchema, type ProgressHistory } from './progress-history.ts';
