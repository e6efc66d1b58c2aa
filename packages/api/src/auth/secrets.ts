import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes } from 'node:crypto';

// Argon2id (the library's default algorithm) at OWASP's recommended minimum: 19 MiB, 2 passes.
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

// A hash of nothing anyone knows: unknown emails are checked against it so that they take as
// long to refuse as wrong passwords, and response times do not reveal which emails exist.
const decoyHash = hash(randomBytes(16).toString('hex'), argon2Options);

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    await verify(await decoyHash, password);
    return false;
  }
  return verify(passwordHash, password);
}

/**
 * Session and API tokens are 256 random bits, so a fast hash is enough to make a stolen table
 * useless: only the SHA-256 is stored, the token itself is handed out once.
 */
export function newToken(prefix: string): { token: string; tokenHash: string } {
  const token = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
