import { graphile, graphileBatched } from './graphile.ts';
import { jobkit, jobkitThreads } from './jobkit.ts';
import { pgboss } from './pgboss.ts';
import type { SystemId, System } from './types.ts';

export const systemsById: Readonly<Record<SystemId, System>> = {
  jobkit,
  'jobkit-threads': jobkitThreads,
  graphile,
  'graphile-batched': graphileBatched,
  pgboss,
};

/** One system per schema family: the enqueue path does not depend on worker settings. */
export const producers: readonly System[] = [jobkit, graphile, pgboss];
