import type { NewJob } from '@jobkit/queue';
import { llmAnalysis, type JobContract } from '@jobkit/jobs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Actor, InnerContext } from './context.ts';
import { inputFilesOf } from './files/access.ts';
import { assertOwnEndpoint } from './webhooks/endpoints.ts';

const maxDelayMs = 30 * 24 * 60 * 60 * 1000;

/** Options every start accepts, whatever the kind. */
export const startOptionsShape = {
  /** Starting twice with the same key returns the first job instead of making another. */
  idempotencyKey: z.string().trim().min(1).max(200).optional(),
  /** Higher runs first; 0 is normal. */
  priority: z.int().min(-10).max(10).optional(),
  /** Not before this instant (ISO 8601), at most 30 days ahead. */
  runAt: z.iso
    .datetime({ offset: true })
    .refine((value) => Date.parse(value) <= Date.now() + maxDelayMs, 'runAt is at most 30 days ahead')
    .optional(),
  /** One of the caller's webhook endpoints (webhooks.create), called with a signed POST when the job finishes. */
  webhookEndpointId: z.uuid({ message: 'webhookEndpointId is the id of one of your webhook endpoints' }).optional(),
  /** E-mail the caller when the job finishes (completed, failed or cancelled), where the server can send mail. */
  notifyByEmail: z.boolean({ message: 'notifyByEmail is true or false' }).optional(),
};

export interface StartRequest {
  input: unknown;
  idempotencyKey?: string | undefined;
  priority?: number | undefined;
  runAt?: string | undefined;
  webhookEndpointId?: string | undefined;
  notifyByEmail?: boolean | undefined;
}

/** Why this server cannot run a kind now, in words; null when it can. */
export function unavailableReason(settings: InnerContext['settings'], kind: string): string | null {
  if (kind === llmAnalysis.kind && !settings.llmEnabled) {
    return 'LLM analysis is not available on this server: it has no language model configured (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL).';
  }
  return null;
}

/** Why this server cannot e-mail when a job finishes, in words; null when it can. */
export function emailUnavailableReason(settings: InnerContext['settings']): string | null {
  if (settings.emailEnabled) return null;
  return 'E-mail when a job finishes is not available on this server: it has no mail server configured (SMTP_URL, SMTP_FROM, PUBLIC_URL).';
}

/** The row to insert for one validated start request, its uploaded files checked. */
export async function newJobFor(
  ctx: InnerContext & { actor: Actor },
  contract: JobContract,
  request: StartRequest,
): Promise<NewJob> {
  const unavailable = unavailableReason(ctx.settings, contract.kind);
  if (unavailable) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: unavailable });
  const noEmail = request.notifyByEmail === true ? emailUnavailableReason(ctx.settings) : null;
  if (noEmail) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: noEmail });
  if (request.webhookEndpointId !== undefined) await assertOwnEndpoint(ctx, ctx.db, ctx.actor.userId, request.webhookEndpointId);
  return {
    kind: contract.kind,
    payloadVersion: contract.version,
    input: request.input,
    ownerId: ctx.actor.userId,
    maxAttempts: contract.maxAttempts,
    idempotencyKey: request.idempotencyKey,
    priority: request.priority,
    runAt: request.runAt === undefined ? undefined : new Date(request.runAt),
    webhookEndpointId: request.webhookEndpointId,
    notifyByEmail: request.notifyByEmail,
    inputFileIds: await inputFilesOf(ctx.db, ctx.actor, contract, request.input),
  };
}
