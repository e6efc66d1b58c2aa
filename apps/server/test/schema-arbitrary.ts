/**
 * Inputs for a procedure, generated from its own zod schema (through zod's JSON Schema export), so
 * that a new procedure or a new field is covered without editing a test. Two kinds:
 * - `wellFormed`: values of the schema's shape (most pass it), with ids drawn partly from rows that
 *   exist, so calls reach the database and the code behind the schema;
 * - `hostile`: a well-formed value with one place (any field, any depth, the root, or an added key)
 *   replaced by something a careless or malicious client sends.
 */
import fc from 'fast-check';
import type { z } from 'zod';

type JsonSchema = z.core.JSONSchema.BaseSchema;

export interface GenerationContext {
  /** Ids of rows that exist (jobs, files, tokens), mixed into every uuid field. */
  knownIds: readonly string[];
}

const maxStringLength = 40;

const urlsToTry = [
  'http://127.0.0.1:9/hook',
  'http://[::1]/hook',
  'http://localhost/hook',
  'http://2130706433/hook',
  'http://169.254.169.254/latest/meta-data/',
  'https://10.0.0.1/hook',
  'ftp://127.0.0.1/hook',
  'javascript:alert(1)',
];

function schemaOf(value: JsonSchema | boolean | undefined): JsonSchema {
  return typeof value === 'object' ? value : {};
}

function stringFor(schema: JsonSchema, context: GenerationContext): fc.Arbitrary<string> {
  if (schema.format === 'uuid') {
    return context.knownIds.length > 0 ? fc.oneof(fc.uuid(), fc.constantFrom(...context.knownIds)) : fc.uuid();
  }
  if (schema.format === 'email') return fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254));
  if (schema.format === 'date-time') {
    const now = Date.now();
    return fc.integer({ min: now - 3_600_000, max: now + 29 * 86_400_000 }).map((ms) => new Date(ms).toISOString());
  }
  // Fixed hosts: a generated name would be looked up in DNS, and the point is what the server does
  // with addresses it must refuse.
  if (schema.format === 'uri') return fc.constantFrom(...urlsToTry);
  if (schema.pattern !== undefined && schema.format === undefined) return fc.stringMatching(new RegExp(schema.pattern));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? maxStringLength, maxStringLength));
  return fc.string({ minLength, maxLength, unit: fc.constantFrom(...'abc xyz 1.-é漢😀'.split('')) });
}

function numberFor(schema: JsonSchema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1e6;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1e6;
  if (schema.type === 'integer') return fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function objectFor(schema: JsonSchema, context: GenerationContext, depth: number): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return fc.jsonValue({ maxDepth: 2 });
  const model = Object.fromEntries(properties.map(([key, property]) => [key, arbitraryFor(schemaOf(property), context, depth + 1)]));
  const required = schema.required ?? [];
  return fc.record(model, { requiredKeys: properties.map(([key]) => key).filter((key) => required.includes(key)) });
}

/** A value of the schema's shape. Refinements zod cannot export (cross-field rules...) may still fail. */
export function arbitraryFor(schema: JsonSchema, context: GenerationContext, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 8) return fc.constant(null);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((option) => arbitraryFor(schemaOf(option), context, depth)));
  switch (schema.type) {
    case 'string':
      return stringFor(schema, context);
    case 'integer':
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const items = Array.isArray(schema.items) ? {} : schemaOf(schema.items);
      return fc.array(arbitraryFor(items, context, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'object':
      return objectFor(schema, context, depth);
    case undefined:
    default:
      // `{}`: any JSON (z.unknown, z.json, free-form metadata and results); `default` for a list
      // of types, which zod does not export for these schemas.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { nested: value };
  return value;
}

/** What a careless or hostile client puts where a value belongs. */
export const hostileValues: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'before\u0000after',
    '\uD800',
    'x\uDFFFy',
    '\uDBFF',
    '\u202Eevil',
    '\uFEFF',
    '',
    ' ',
    '__proto__',
    'constructor',
    "'; DROP TABLE job; --",
    '../../../etc/passwd',
    -1,
    0,
    -0,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.5,
    true,
    null,
    [],
    {},
    JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}'),
  ),
  fc.integer({ min: 100_000, max: 4_500_000 }).map((length) => 'x'.repeat(length)),
  fc.integer({ min: 50, max: 3000 }).map(deeplyNested),
  fc.anything({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Every place in a JSON value, as key paths: the root, each property and each array item. */
function placesOf(value: unknown, path: (string | number)[] = [], into: (string | number)[][] = []): (string | number)[][] {
  into.push(path);
  if (Array.isArray(value)) value.forEach((item, index) => placesOf(item, [...path, index], into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) placesOf(item, [...path, key], into);
  }
  return into;
}

function replaceAt(value: unknown, path: readonly (string | number)[], replacement: unknown, asKey: boolean): unknown {
  const [head, ...rest] = path;
  if (head === undefined) {
    if (!asKey || typeof value !== 'object' || value === null || Array.isArray(value)) return replacement;
    return { ...value, [typeof replacement === 'string' ? replacement : JSON.stringify(replacement)]: 'value' };
  }
  if (Array.isArray(value)) return value.map((item: unknown, index) => (index === head ? replaceAt(item, rest, replacement, asKey) : item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, key === head ? replaceAt(item, rest, replacement, asKey) : item]),
    );
  }
  return value;
}

/** A well-formed value with one place replaced by a hostile one (or a hostile key added there). */
export function hostileFor(wellFormed: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(wellFormed, fc.nat(), hostileValues, fc.boolean())
    .map(([value, pick, replacement, asKey]) => {
      const places = placesOf(value);
      return replaceAt(value, places[pick % places.length] ?? [], replacement, asKey);
    });
}
