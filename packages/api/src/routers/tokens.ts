import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { apiTokenSelect, createApiToken } from '../auth/api-tokens.ts';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';

const maxTokensPerUser = 50;

/** API tokens for programs (`Authorization: Bearer jk_...`), managed by their owner. */
export const tokensRouter = createTRPCRouter({
  /** The token itself is in this answer only; the server keeps its hash. */
  create: actorProcedure
    .input(z.object({ name: z.string().trim().min(1, 'Name the token after the program that uses it').max(100) }))
    .mutation(async ({ ctx, input }) => {
      const live = await ctx.db.prisma.apiToken.count({ where: { userId: ctx.actor.userId, revokedAt: null } });
      if (live >= maxTokensPerUser) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: `You have ${live} API tokens; revoke one before creating another.` });
      }
      const created = await createApiToken(ctx.db, ctx.actor.userId, input.name);
      return { ...created, createdAt: created.createdAt.toISOString() };
    }),

  list: actorProcedure.query(async ({ ctx }) => {
    const tokens = await ctx.db.prisma.apiToken.findMany({
      where: { userId: ctx.actor.userId },
      orderBy: { createdAt: 'desc' },
      select: apiTokenSelect,
    });
    return tokens.map((token) => ({
      ...token,
      createdAt: token.createdAt.toISOString(),
      lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
      revokedAt: token.revokedAt?.toISOString() ?? null,
    }));
  }),

  revoke: actorProcedure.input(z.object({ id: z.uuid({ message: 'A token id is a UUID' }) })).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.prisma.apiToken.updateMany({
      where: { id: input.id, userId: ctx.actor.userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: `No active API token ${input.id}.` });
    return { id: input.id, revoked: true };
  }),
});
