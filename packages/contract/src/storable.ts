import { z } from 'zod';

/**
 * Why PostgreSQL would refuse this text, or null when it can store it. `text` and `jsonb` cannot
 * hold U+0000, and a lone UTF-16 surrogate is not Unicode at all (it cannot be encoded as UTF-8):
 * either one reaching a query fails it with a database error, which a caller must never cause.
 */
export function unstorableTextReason(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (!text.isWellFormed()) return 'must be well-formed Unicode: it holds an unpaired UTF-16 surrogate (U+D800-U+DFFF)';
  return null;
}

/**
 * Every string of a JSON-like value, object keys included, with the path to it. Walked without
 * recursion (a 10,000-deep value from a caller must not overflow the stack) and depth-first, so
 * the first problems are found before the whole value is read.
 */
function* stringsOf(value: unknown): Generator<{ text: string; path: PropertyKey[]; isKey: boolean }> {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (typeof next.value === 'string') {
      yield { text: next.value, path: next.path, isKey: false };
    } else if (Array.isArray(next.value)) {
      for (const [index, item] of next.value.entries()) stack.push({ value: item, path: [...next.path, index] });
    } else if (typeof next.value === 'object' && next.value !== null) {
      for (const [key, item] of Object.entries(next.value)) {
        yield { text: key, path: next.path, isKey: true };
        stack.push({ value: item, path: [...next.path, key] });
      }
    }
  }
}

/** Stop after this many problems: one bad value repeated 100,000 times needs no 100,000 messages. */
const maxIssues = 10;

/**
 * Accepts any value whose strings PostgreSQL can store, and names the field of each one it cannot.
 * The API applies it to the raw input of every procedure before the procedure's own schema, so no
 * string of any contract or procedure, present or future, can reach the database unstorable.
 */
export const storableValue = z.unknown().superRefine((value, ctx) => {
  let issues = 0;
  for (const { text, path, isKey } of stringsOf(value)) {
    const reason = unstorableTextReason(text);
    if (reason === null) continue;
    ctx.addIssue({ code: 'custom', path, message: isKey ? `A field name ${reason}` : `Text ${reason}` });
    if (++issues >= maxIssues) return;
  }
});
