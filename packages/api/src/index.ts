export { createApiToken } from './auth/api-tokens.ts';
export { ensureDemoUsers, type DemoCredentials } from './auth/demo-users.ts';
export { resolveActor, type Credentials } from './auth/resolve-actor.ts';
export { createUser, newUserSchema, type UserSummary } from './auth/users.ts';
export {
  createInnerContext,
  defaultApiSettings,
  memorySessionCookie,
  type Actor,
  type ApiSettings,
  type InnerContext,
  type SessionCookie,
} from './context.ts';
export { createHttpContextFactory, sessionCookieName, type CookieAccess } from './http.ts';
export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from './root.ts';
export { streamPingIntervalMs, type FieldIssue } from './trpc.ts';
export { closeJobStream, jobStreamFor } from './job-stream/watch-job.ts';
export { openDownload } from './files/access.ts';
export { uploadFile, UploadSlots, type UploadLimits } from './files/upload.ts';
export { UploadWatch, type UploadPace } from './files/upload-watch.ts';
export { openApiDocument, publicProcedures } from './openapi/document.ts';
export { routerProcedures } from './router-procedures.ts';
