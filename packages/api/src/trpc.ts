import { storableValue } from '@jobkit/jobs';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { InnerContext } from './context.ts';

/** A validation problem, pointed at the field: `input.text`, `limit`... */
export interface FieldIssue {
  path: string;
  message: string;
}

function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** How often an idle live stream gets a keep-alive comment (the bench's watchers check they hear it). */
export const streamPingIntervalMs = 20_000;

const t = initTRPC.context<InnerContext>().create({
  // Never send stack traces, whatever NODE_ENV says.
  isDev: false,
  // Live streams over SSE: a comment every 20 s keeps proxies (60 s idle timeouts are common) from
  // closing an idle stream; pings are most of what an idle stream costs the server (bench `watch`:
  // every 10 s, 10,000 idle streams took ~48 % of a core). A stream ends after 5 minutes so no
  // connection is held for ever (the client reconnects with its last event id and resumes), and a
  // client that hears nothing for 45 s (two pings missed) reconnects by itself.
  sse: {
    ping: { enabled: true, intervalMs: streamPingIntervalMs },
    maxDurationMs: 5 * 60_000,
    client: { reconnectAfterInactivityMs: 45_000 },
  },
  errorFormatter({ shape, error }) {
    const issues = error.cause instanceof z.ZodError ? fieldIssues(error.cause) : null;
    let { message } = shape;
    if (issues) {
      message = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
    } else if (error.code === 'INTERNAL_SERVER_ERROR' && error.cause !== undefined) {
      // An unexpected error: its text may hold SQL or paths. It is logged by the server instead.
      message = 'Something went wrong on our side. The error was logged; please try again.';
    }
    return { ...shape, message, data: { ...shape.data, issues } };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * Every procedure starts here: its raw input is refused, field by field, when it holds text
 * PostgreSQL cannot store (NUL, lone surrogates), before the procedure's own schema or any query
 * sees it. One check for all procedures, so a new one cannot forget it.
 */
export const publicProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  const checked = storableValue.safeParse(await getRawInput());
  if (!checked.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: checked.error });
  return next();
});

/** A procedure that needs a caller; `ctx.actor` is non-null inside. */
export const actorProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'Sign in first, or send a valid API token (Authorization: Bearer jk_...).',
    });
  }
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Admins only: the job viewer and its actions over every user's jobs. */
export const adminProcedure = actorProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only administrators can use the job viewer.' });
  }
  return next({ ctx });
});
