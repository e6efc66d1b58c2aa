import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { verifyPassword } from '../auth/secrets.ts';
import { createSession, deleteSession } from '../auth/sessions.ts';
import { countSignInAttempt, forgiveSignIn } from '../auth/throttle.ts';
import { emailSchema, userSummarySelect } from '../auth/users.ts';
import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const authRouter = createTRPCRouter({
  /** Email and password in, an HTTP-only session cookie out; throttled per account and address. */
  signIn: publicProcedure
    .input(z.object({ email: emailSchema, password: z.string().min(1, 'Enter your password').max(256) }))
    .mutation(async ({ ctx, input }) => {
      const counted = await countSignInAttempt(ctx.db, { email: input.email, clientAddress: ctx.clientAddress });
      const user = await ctx.db.prisma.user.findUnique({
        where: { email: input.email },
        select: { ...userSummarySelect, passwordHash: true },
      });
      // Checked even for unknown emails, so that timing does not tell which emails have accounts.
      const valid = await verifyPassword(user?.passwordHash ?? null, input.password);
      if (!user || !valid) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'That email and password do not match an account.' });
      await forgiveSignIn(ctx.db, counted);
      const { token, expiresAt } = await createSession(ctx.db, user.id);
      ctx.session.set(token, expiresAt);
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    }),

  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session.current) await deleteSession(ctx.db, ctx.session.current);
    ctx.session.clear();
    return { signedOut: true };
  }),

  /** The signed-in user, or null: the web app asks this first. */
  me: publicProcedure.query(async ({ ctx }) => {
    if (!ctx.actor) return null;
    return ctx.db.prisma.user.findUnique({ where: { id: ctx.actor.userId }, select: userSummarySelect });
  }),
});
