import type { Database } from '@jobkit/db';
import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { resolveActor } from './auth/resolve-actor.ts';
import { createInnerContext, type ApiSettings, type InnerContext, type SessionCookie } from './context.ts';

export const sessionCookieName = 'jobkit_session';

/** How the HTTP layer reads and writes the session cookie (Fastify with @fastify/cookie). */
export interface CookieAccess {
  read(request: CreateFastifyContextOptions['req']): string | undefined;
  write(reply: CreateFastifyContextOptions['res'], token: string, expiresAt: Date): void;
  erase(reply: CreateFastifyContextOptions['res']): void;
}

/** The HTTP half of the context: finds the caller from the request and binds the cookie to the reply. */
export function createHttpContextFactory(db: Database, settings: ApiSettings, cookies: CookieAccess) {
  return async ({ req, res }: CreateFastifyContextOptions): Promise<InnerContext> => {
    const sessionToken = cookies.read(req);
    const session: SessionCookie = {
      current: sessionToken,
      set: (token, expiresAt) => {
        cookies.write(res, token, expiresAt);
      },
      clear: () => {
        cookies.erase(res);
      },
    };
    const actor = await resolveActor(db, { authorization: req.headers.authorization, sessionToken });
    // Behind a reverse proxy, Fastify's `trustProxy` (TRUST_PROXY) makes this the forwarded client's.
    return createInnerContext({ db, actor, settings, session, clientAddress: req.ip });
  };
}
