import { z } from 'zod';

/**
 * A job's stored progress history (`job.progress_history`): each report, in order, with the attempt
 * that made it, as the progress write appends it (packages/queue, running.ts). Admin views read it.
 */
export const progressHistorySchema = z.array(z.object({ at: z.string(), attempt: z.int(), percent: z.number(), message: z.string() }));

export type ProgressHistory = z.output<typeof progressHistorySchema>;
