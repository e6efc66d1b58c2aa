import type { Prisma } from '@jobkit/db';
import { contractFor, startableKinds } from '@jobkit/jobs';
import { actorProcedure } from '../trpc.ts';

/** How many active jobs the header lists; `total` says how many there are in all. */
const listedActiveJobs = 20;

export const activeJobsProcedures = {
  /**
   * The caller's own queued and running analyses, newest first: what the header shows on every page.
   * From the server, so it follows the user to any device or browser, not only the one that
   * started them. Jobs the system starts (webhook deliveries) and tracked jobs are not listed.
   */
  activeJobs: actorProcedure.query(async ({ ctx }) => {
    const where: Prisma.JobWhereInput = { ownerId: ctx.actor.userId, status: { in: ['queued', 'running'] }, kind: { in: startableKinds } };
    const [rows, total] = await Promise.all([
      ctx.db.prisma.job.findMany({
        where,
        orderBy: { id: 'desc' },
        take: listedActiveJobs,
        select: { id: true, kind: true, status: true, progress: true, progressMessage: true, version: true },
      }),
      ctx.db.prisma.job.count({ where }),
    ]);
    return { total, jobs: rows.map((row) => ({ ...row, title: contractFor(row.kind)?.title ?? row.kind })) };
  }),
};
