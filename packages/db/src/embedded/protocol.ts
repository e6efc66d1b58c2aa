import { z } from 'zod';

export const supervisorArgsSchema = z.object({
  dataDir: z.string(),
  port: z.int().min(1).max(65535),
  maxConnections: z.int().min(10),
});
export type SupervisorArgs = z.infer<typeof supervisorArgsSchema>;

export const supervisorMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type SupervisorMessage = z.infer<typeof supervisorMessageSchema>;
