import type { Database } from '@jobkit/db';

/** Who is calling. Every job procedure scopes what it reads and changes by this. */
export interface Actor {
  userId: string;
  role: 'user' | 'admin';
}

/**
 * Everything a procedure may use, and nothing from HTTP: tests build it directly and call the
 * router through `createCaller`, with a real database.
 */
export interface InnerContext {
  db: Database;
  actor: Actor | null;
}

export function createInnerContext(db: Database, actor: Actor | null): InnerContext {
  return { db, actor };
}
