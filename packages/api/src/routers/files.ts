import { storageUsedBy } from '@jobkit/files';
import { fileTypes } from '@jobkit/jobs';
import { z } from 'zod';
import { findVisibleFile } from '../files/access.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

/**
 * Uploads and downloads themselves are plain HTTP routes (`POST /files`, `GET /files/:id`: bytes
 * stream through, never whole in memory); these procedures tell a client what it may send and what
 * a file is.
 */
export const filesRouter = createTRPCRouter({
  /** What an upload may be, and how much room the caller's files leave: check before sending, instead of after 200 MB went up. */
  limits: actorProcedure.query(async ({ ctx }) => ({
    maxUploadBytes: ctx.settings.maxUploadBytes,
    types: Object.values(fileTypes),
    storage: { usedBytes: await storageUsedBy(ctx.db.pool, ctx.actor.userId), quotaBytes: ctx.settings.maxStorageBytesPerUser },
  })),

  /** A file's name, type and size: the caller's own, or any for an admin. */
  get: actorProcedure.input(z.object({ fileId: z.uuid('fileId must be a file id') })).query(async ({ ctx, input }) => {
    const file = await findVisibleFile(ctx.db, ctx.actor, input.fileId);
    return { fileId: file.id, name: file.name, size: file.size, contentType: file.contentType, createdAt: file.createdAt.toISOString() };
  }),
});
