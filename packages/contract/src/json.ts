import { z } from 'zod';

/** Nesting depth of a JSON-like value, counted without recursion; stops counting past `limit`. */
function exceedsDepth(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const next = stack.pop();
    if (!next || typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/**
 * Any JSON value, bounded in depth and size. Its depth is checked without recursion before zod's
 * recursive `z.json()` sees it: a 10,000-deep document from a caller must be a clear 400, not a
 * stack overflow.
 */
export function boundedJson(options: { maxDepth: number; maxChars: number }) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (exceedsDepth(value, options.maxDepth)) {
        ctx.addIssue({ code: 'custom', message: `JSON is nested at most ${options.maxDepth} levels deep` });
        return;
      }
      // undefined, functions and symbols stringify to undefined: z.json() rejects those itself.
      const text: unknown = JSON.stringify(value);
      if (typeof text === 'string' && text.length > options.maxChars) {
        ctx.addIssue({ code: 'custom', message: `JSON is at most ${options.maxChars.toLocaleString('en')} characters` });
      }
    })
    .pipe(z.json());
}
