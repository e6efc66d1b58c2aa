import type { Database } from '@jobkit/db';

/** Who is calling. Every job procedure scopes what it reads and changes by this. */
export interface Actor {
  userId: string;
  role: 'user' | 'admin';
}

/** Server settings procedures need to know about. */
export interface ApiSettings {
  /** Jobs may ask for a completion webhook only when deliveries can be signed. */
  webhooksEnabled: boolean;
}

/**
 * Everything a procedure may use, and nothing from HTTP: tests build it directly and call the
 * router through `createCaller`, with a real database.
 */
export interface InnerContext {
  db: Database;
  actor: Actor | null;
  settings: ApiSettings;
}

export function createInnerContext(
  db: Database,
  actor: Actor | null,
  settings: ApiSettings = { webhooksEnabled: false },
): InnerContext {
  return { db, actor, settings };
}
