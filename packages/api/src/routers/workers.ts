import { listWorkers } from '@jobkit/queue';
import { z } from 'zod';
import { adminProcedure, createTRPCRouter } from '../trpc.ts';

const timestamp = z.iso.datetime({ offset: true });

/** One worker process as admins (the web viewer, the command line) see it. */
export const workerSummarySchema = z.object({
  /** As jobs and attempts name it (`lockedBy`, `workerId`). */
  id: z.string(),
  host: z.string(),
  pid: z.int(),
  /** The release it runs: the newest migration it knows (a rolling deploy shows two). */
  version: z.string(),
  kinds: z.array(z.string()),
  concurrency: z.int(),
  runningJobs: z.int(),
  startedAt: timestamp,
  lastSeenAt: timestamp,
});

export const workersRouter = createTRPCRouter({
  /** The worker processes heard from lately, oldest first. Admins only. */
  list: adminProcedure.output(z.object({ workers: z.array(workerSummarySchema) })).query(async ({ ctx }) => ({
    workers: (await listWorkers(ctx.db.pool)).map((worker) => ({
      ...worker,
      kinds: [...worker.kinds],
      startedAt: worker.startedAt.toISOString(),
      lastSeenAt: worker.lastSeenAt.toISOString(),
    })),
  })),
});
