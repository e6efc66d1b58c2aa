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
  /** Live streams (watchJob, watchActiveJobs, watchChanges) one user may hold open on one server process; 0 for no limit. */
  maxStreamsPerUser: number;
  /** A language model endpoint is configured, so LLM analyses can run. */
  llmEnabled: boolean;
  /** An SMTP server is configured (SMTP_URL, SMTP_FROM, PUBLIC_URL), so starts may ask for an e-mail when they finish. */
  emailEnabled: boolean;
  /** The largest upload accepted, in bytes. */
  maxUploadBytes: number;
  /** The most bytes one user's files may take (uploads and the reports their jobs wrote); 0 for no quota. */
  maxStorageBytesPerUser: number;
  /** Uploads one user may send at once; 0 for no limit. */
  maxConcurrentUploadsPerUser: number;
  /** An upload that sends nothing for this long is cut off (408); 0 for no limit. */
  uploadIdleTimeoutMs: number;
  /** An upload that averages less than this (after its first seconds) is cut off (408); 0 for no minimum. */
  uploadMinBytesPerSecond: number;
  /** Database connections all uploads share, apart from the API's own, so uploads cannot take those. */
  uploadConnections: number;
}

export const defaultApiSettings: ApiSettings = {
  webhookAllow: undefined,
  maxActiveJobsPerUser: 100,
  maxStartsPerMinute: 600,
  maxStreamsPerUser: 100,
  llmEnabled: false,
  emailEnabled: false,
  maxUploadBytes: 256 * 1024 * 1024,
  maxStorageBytesPerUser: 2048 * 1024 * 1024,
  maxConcurrentUploadsPerUser: 4,
  uploadIdleTimeoutMs: 30_000,
  uploadMinBytesPerSecond: 8 * 1024,
  uploadConnections: 4,
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
