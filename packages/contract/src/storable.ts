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
 * Accepts any value whose strings PostgreSQL can store, and names the field of each one it cannot
 * (a caller can correct its input; a handler's output is repaired instead, see repairedForStorage).
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

/**
 * The text as PostgreSQL can store it, for what nobody can be asked to correct: a handler's output,
 * progress or failure (text a PDF's text layer gave, a name in an uploaded file). Refusing it would
 * make the write that ends the attempt fail, and the job would sit running until its lease lapsed,
 * then fail the same way on every attempt. So NUL is dropped and a lone surrogate becomes U+FFFD,
 * the replacement character, as `String.prototype.toWellFormed` does. (Input from a caller is
 * refused instead, by storableValue: the caller can correct it.)
 */
export function repairedTextForStorage(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The same value with every string, object keys included, repaired (see repairedTextForStorage). */
export function repairedForStorage(value: unknown): unknown {
  if (typeof value === 'string') return repairedTextForStorage(value);
  if (Array.isArray(value)) return value.map(repairedForStorage);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [repairedTextForStorage(key), repairedForStorage(item)]));
}
