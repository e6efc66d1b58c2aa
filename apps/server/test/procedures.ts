/** The router's procedures as a test sees them: path, type and input schemas, walked from the router. */
import { routerProcedures } from '@jobkit/api';
import fc from 'fast-check';
import { z } from 'zod';
import { arbitraryFor } from './schema-arbitrary.ts';

export interface ProcedureUnderTest {
  path: string;
  type: 'query' | 'mutation';
  /** The procedure's input schemas (tRPC merges several `.input()`s); none for no input. */
  inputs: z.ZodType[];
}

const subscriptionsCoveredOverSse = new Set([
  // job-stream-http.test.ts (another user's job refused as getJob refuses it), packages/api/test/job-stream.test.ts
  'jobs.watchJob',
  // list-streams-http.test.ts (only the caller's own jobs; admins only), packages/api/test/list-streams.test.ts
  'jobs.watchActiveJobs',
  'admin.watchChanges',
]);

/** Every query and mutation of the router, walked from its definition. */
export function everyProcedure(): ProcedureUnderTest[] {
  return [...routerProcedures()].flatMap(([path, procedure]): ProcedureUnderTest[] => {
    const { type, inputs } = procedure._def;
    // Subscriptions are not plain HTTP calls: each is covered over SSE by its own tests, and one
    // without them fails here.
    if (type === 'subscription') {
      if (subscriptionsCoveredOverSse.has(path)) return [];
      throw new Error(`${path} is a subscription: cover it with its own transport`);
    }
    return [{ path, type, inputs: inputs.filter((input): input is z.ZodType => input instanceof z.ZodType) }];
  });
}

/** Inputs of the procedure's own schema's shape, their ids partly drawn from `knownIds`. */
export function wellFormedInputs(procedure: ProcedureUnderTest, knownIds: readonly string[]): fc.Arbitrary<unknown> {
  const schema = procedure.inputs[0];
  return schema ? arbitraryFor(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), { knownIds }) : fc.constant(undefined);
}
