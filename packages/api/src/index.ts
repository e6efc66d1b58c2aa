export { createInnerContext, type Actor, type ApiSettings, type InnerContext } from './context.ts';
export { createHttpContextFactory, type ActorResolver } from './http.ts';
export { ensureLocalUser } from './local-user.ts';
export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from './root.ts';
export type { FieldIssue } from './trpc.ts';
