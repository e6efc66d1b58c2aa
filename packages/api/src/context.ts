import type { Database } from '@jobkit/db';

/** Who is calling. Every job procedure scopes what it reads and changes by this. */
export interface Actor {
  userId: string;
  role: 'user' | 'admin';
}

/** Server settings procedures need to know about. */
export interface ApiSettings {
  /** JOBKIT_WEBHOOK_ALLOW: intranet webhook receivers let through (host names and CIDRs, comma-separated). */
  webhookAllow: string | undefined;
  /** Jobs a user may have queued or running at once; 0 for no limit. */
  maxActiveJobsPerUser: number;
  /** Jobs a user may start per minute; 0 for no limit. */
  maxStartsPerMinute: number;
  /** A language model endpoint is configured, so LLM analyses can run. */
  llmEnabled: boolean;
  /** The largest upload accepted, in bytes. */
  maxUploadBytes: number;
}

export const defaultApiSettings: ApiSettings = {
  webhookAllow: undefined,
  maxActiveJobsPerUser: 100,
  maxStartsPerMinute: 600,
  llmEnabled: false,
  maxUploadBytes: 256 * 1024 * 1024,
};

/** The browser session cookie, as procedures see it: HTTP sets real cookies, callers a variable. */
export interface SessionCookie {
  /** The session token the request carried, if any. */
  readonly current: string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export function memorySessionCookie(initial?: string): SessionCookie {
  let current = initial;
  return {
    get current() {
      return current;
    },
    set(token) {
      current = token;
    },
    clear() {
      current = undefined;
    },
  };
}

/**
 * Everything a procedure may use, and nothing from HTTP: tests build it directly and call the
 * router through `createCaller`, with a real database.
 */
export interface InnerContext {
  db: Database;
  actor: Actor | null;
  settings: ApiSettings;
  session: SessionCookie;
  /** The caller's network address (Fastify's `request.ip`, see TRUST_PROXY); null when unknown. */
  clientAddress: string | null;
}

export function createInnerContext(options: {
  db: Database;
  actor: Actor | null;
  settings?: Partial<ApiSettings>;
  session?: SessionCookie;
  clientAddress?: string | null;
}): InnerContext {
  return {
    db: options.db,
    actor: options.actor,
    settings: { ...defaultApiSettings, ...options.settings },
    session: options.session ?? memorySessionCookie(),
    clientAddress: options.clientAddress ?? null,
  };
}
