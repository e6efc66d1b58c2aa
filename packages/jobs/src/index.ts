export * from './define.ts';
export * from './registry.ts';
export * from './kinds/document-analysis.ts';
