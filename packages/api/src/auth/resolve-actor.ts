import type { Database } from '@jobkit/db';
import type { Actor } from '../context.ts';
import { actorForApiToken } from './api-tokens.ts';
import { actorForSession } from './sessions.ts';

/** What an HTTP request carries that may identify its caller. */
export interface Credentials {
  /** The `Authorization` header, for programs: `Bearer jk_...`. */
  authorization?: string | undefined;
  /** The session cookie's value, for the web app. */
  sessionToken?: string | undefined;
}

/** The caller, or null. A bearer token, when sent, decides alone: a bad one is not rescued by a cookie. */
export async function resolveActor(db: Database, credentials: Credentials): Promise<Actor | null> {
  if (credentials.authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(credentials.authorization);
    return match?.[1] ? actorForApiToken(db, match[1]) : null;
  }
  if (credentials.sessionToken) return actorForSession(db, credentials.sessionToken);
  return null;
}
