import type { Database } from '@jobkit/db';
import { TRPCError } from '@trpc/server';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { hashPassword } from './secrets.ts';

export const emailSchema = z
  .email({ message: 'Enter an email address, like ada@example.com' })
  .max(254)
  .transform((email) => email.toLowerCase());
export const passwordSchema = z
  .string()
  .min(10, 'A password has at least 10 characters')
  .max(256, 'A password has at most 256 characters');

export const newUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, 'Give a name').max(100),
  password: passwordSchema,
  role: z.enum(['user', 'admin']).default('user'),
});

export interface UserSummary {
  id: string;
  email: string;
  name: string;
  role: 'user' | 'admin';
}

export const userSummarySelect = { id: true, email: true, name: true, role: true } as const;

export async function createUser(db: Database, request: z.input<typeof newUserSchema>): Promise<UserSummary> {
  const user = newUserSchema.parse(request);
  const existing = await db.prisma.user.findUnique({ where: { email: user.email }, select: { id: true } });
  if (existing) throw new TRPCError({ code: 'CONFLICT', message: `A user with the email ${user.email} already exists.` });
  return db.prisma.user.create({
    data: { id: uuidv7(), email: user.email, name: user.name, role: user.role, passwordHash: await hashPassword(user.password) },
    select: userSummarySelect,
  });
}
