import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { analysisRouter } from './routers/analysis.ts';
import { jobsRouter } from './routers/jobs.ts';
import { createCallerFactory, createTRPCRouter } from './trpc.ts';

export const appRouter = createTRPCRouter({
  analysis: analysisRouter,
  jobs: jobsRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** Calls procedures in-process with a context you build: tests, scripts, server-side callers. */
export const createCaller = createCallerFactory(appRouter);
