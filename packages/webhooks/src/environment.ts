import { z } from 'zod';
import { parseWebhookAllowList } from './target.ts';

/** The webhook settings the apps read from the environment, checked when they start. */
export const webhookEnvironmentShape = {
  /** Webhook receivers allowed though private or loopback: host names and CIDRs, comma-separated. */
  JOBKIT_WEBHOOK_ALLOW: z
    .string()
    .optional()
    .superRefine((value, context) => {
      try {
        parseWebhookAllowList(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `JOBKIT_WEBHOOK_ALLOW: ${error instanceof Error ? error.message : String(error)}` });
      }
    }),
};
