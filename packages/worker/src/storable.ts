/**
 * A handler's output, progress or failure as PostgreSQL can store it. `jsonb` and `text` refuse
 * U+0000, and a lone UTF-16 surrogate is not Unicode (it has no UTF-8 form), so either one in what a
 * handler returns (text a PDF's text layer gave, a name in an uploaded file) would make the write
 * that ends the attempt fail, and the job would sit running until its lease lapsed, then fail the
 * same way on every attempt. Here NUL is dropped and a lone surrogate becomes U+FFFD, the
 * replacement character, as `String.prototype.toWellFormed` does.
 */
export function storableText(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The same value with every string, object keys included, made storable (see storableText). */
export function storableValue(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableValue);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [storableText(key), storableValue(item)]));
}
