import type { AnyProcedure } from '@trpc/server';
import { appRouter } from './root.ts';

function isProcedure(value: unknown): value is AnyProcedure {
  return typeof value === 'function' && '_def' in value && typeof value._def === 'object' && value._def !== null && 'procedure' in value._def;
}

/**
 * Every procedure of the router by its path (`jobs.getJob`), walked from the router's definition:
 * what the OpenAPI document and the tests that visit every procedure start from.
 */
export function routerProcedures(record: object = appRouter._def.record, prefix = ''): Map<string, AnyProcedure> {
  const found = new Map<string, AnyProcedure>();
  for (const [key, value] of Object.entries(record) as [string, unknown][]) {
    const path = `${prefix}${key}`;
    if (isProcedure(value)) found.set(path, value);
    else if (typeof value === 'object' && value !== null) for (const [inner, procedure] of routerProcedures(value, `${path}.`)) found.set(inner, procedure);
  }
  return found;
}
