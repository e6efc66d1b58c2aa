import type { Database } from '@jobkit/db';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { createInnerContext, type Actor, type ApiSettings, type InnerContext } from './context.ts';

/** Finds the caller of an HTTP request; the next issue replaces the local user with sign-in. */
export type ActorResolver = (request: CreateFastifyContextOptions['req']) => Promise<Actor | null>;

/** The HTTP half of the context: turns a request into the inner context procedures use. */
export function createHttpContextFactory(db: Database, resolveActor: ActorResolver, settings: ApiSettings) {
  return async ({ req }: CreateFastifyContextOptions): Promise<InnerContext> =>
    createInnerContext(db, await resolveActor(req), settings);
}
