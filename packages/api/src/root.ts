import { jobSchedules } from '@jobkit/jobs/schedules';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { adminRouter } from './routers/admin.ts';
import { analysisRouter } from './routers/analysis.ts';
import { authRouter } from './routers/auth.ts';
import { filesRouter } from './routers/files.ts';
import { jobsRouter } from './routers/jobs.ts';
import { createSchedulesRouter } from './routers/schedules.ts';
import { tokensRouter } from './routers/tokens.ts';
import { webhooksRouter } from './routers/webhooks.ts';
import { workersRouter } from './routers/workers.ts';
import { createCallerFactory, createTRPCRouter } from './trpc.ts';

export const appRouter = createTRPCRouter({
  admin: adminRouter,
  analysis: analysisRouter,
  auth: authRouter,
  files: filesRouter,
  jobs: jobsRouter,
  schedules: createSchedulesRouter(jobSchedules),
  tokens: tokensRouter,
  webhooks: webhooksRouter,
  workers: workersRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process with a context you build: tests, scripts, server-side callers. */
export const createCaller = createCallerFactory(appRouter);
