import { z } from 'zod';
import { actorProcedure, createTRPCRouter } from '../trpc.ts';
import {
  assertReachableTarget,
  createEndpoint,
  deleteEndpoint,
  listEndpoints,
  rotateEndpointSecret,
} from '../webhooks/endpoints.ts';

const endpointId = z.uuid({ message: 'A webhook endpoint id is a UUID' });
/** How long a replaced secret may keep signing: a day by default, a week at most. */
const maxOverlapMinutes = 7 * 24 * 60;

/**
 * Webhook endpoints, each its owner's alone: another user's endpoint is NOT_FOUND, whoever asks
 * (admins included: an endpoint's secret is its owner's). Secrets are in the answers of `create` and
 * `rotateSecret` only.
 */
export const webhooksRouter = createTRPCRouter({
  create: actorProcedure
    .input(
      z.object({
        url: z.url({ protocol: /^https?$/, message: 'The webhook URL must be an http(s) URL' }).max(2000),
        description: z.string().trim().max(200).default(''),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await assertReachableTarget(ctx.settings, input.url);
      const created = await createEndpoint(ctx.db, ctx.actor.userId, input);
      return { id: created.id, url: created.url, description: created.description, createdAt: created.createdAt, secret: created.secret };
    }),

  list: actorProcedure.query(({ ctx }) => listEndpoints(ctx.db, ctx.actor.userId)),

  /** The new secret, once; the old one keeps signing beside it until the overlap ends. */
  rotateSecret: actorProcedure
    .input(
      z.object({
        id: endpointId,
        overlapMinutes: z
          .int()
          .min(0)
          .max(maxOverlapMinutes, `The old secret may keep signing for at most ${maxOverlapMinutes} minutes (7 days)`)
          .default(24 * 60),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const rotated = await rotateEndpointSecret(ctx.db, ctx.actor.userId, input.id, input.overlapMinutes);
      return { id: rotated.id, secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt };
    }),

  delete: actorProcedure.input(z.object({ id: endpointId })).mutation(async ({ ctx, input }) => {
    await deleteEndpoint(ctx.db, ctx.actor.userId, input.id);
    return { id: input.id, deleted: true };
  }),
});
