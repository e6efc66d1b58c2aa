/**
 * Typed surface of schema-diff.mjs: Prisma's schema engine (WebAssembly) diffing two states of a
 * database schema. It stays JavaScript because it patches untyped internals of the engine's
 * generated bindings and of @prisma/adapter-pg 7.10 (see the comments in the .mjs file).
 */
export type DiffTarget =
  | 'database'
  | 'empty'
  | { schemaFile: string }
  | { schemaText: string }
  | { migrationsDir: string };

/** The SQL that turns `from` into `to`; the empty string when they already agree. */
export function diffSchemas(options: {
  connectionString: string;
  shadowConnectionString?: string;
  from: DiffTarget;
  to: DiffTarget;
}): Promise<string>;
