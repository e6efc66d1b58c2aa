export * from './define.ts';
export * from './registry.ts';
export * from './kinds/document-analysis.ts';
export * from './kinds/webhook-delivery.ts';
export * from './kinds/tracked.ts';
export { boundedJson } from './json.ts';
export * from './kinds/call-transcript.ts';
export * from './kinds/llm-analysis.ts';
