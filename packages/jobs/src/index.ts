export * from './define.ts';
export * from './registry.ts';
export * from './kinds/document-analysis.ts';
export * from './kinds/webhook-delivery.ts';
