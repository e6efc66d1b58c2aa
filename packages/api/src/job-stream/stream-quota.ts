import type { Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';

/**
 * Live streams open per user on this server process. Each costs the server about 100 KB and a
 * ping every 30 s for as long as it is open (bench `watch`), so one user (or one leaked token)
 * must not hold thousands. Counted per process, where the memory is: N server processes let a
 * user hold N times the limit in all, each process still bounded.
 */
const openStreams = new WeakMap<Database, Map<string, number>>();

/** Counts a stream of `userId` as open, or refuses it past `limit` (0: no limit); call the answer when it closes. */
export function openStream(db: Database, userId: string, limit: number): () => void {
  let counts = openStreams.get(db);
  if (!counts) {
    counts = new Map();
    openStreams.set(db, counts);
  }
  const open = counts.get(userId) ?? 0;
  if (limit > 0 && open >= limit) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `You have ${String(open)} live updates open on this server; the limit is ${String(limit)}. Close some tabs, or poll instead.`,
    });
  }
  counts.set(userId, open + 1);
  const byUser = counts;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (byUser.get(userId) ?? 1) - 1;
    if (left > 0) byUser.set(userId, left);
    else byUser.delete(userId);
  };
}
