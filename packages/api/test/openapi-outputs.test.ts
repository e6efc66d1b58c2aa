/**
 * The OpenAPI document's answer schemas (src/openapi/outputs.ts) against the router's inferred
 * answers: checked when the tests type-check, so a procedure that changes what it returns fails
 * here until the document says the same. At run time, each public procedure has its schema.
 */
import type { z } from 'zod';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { publicProcedures, routerProcedures, type RouterOutputs } from '../src/index.ts';
import type * as outputs from '../src/openapi/outputs.ts';

type Documented<Schema extends z.ZodType> = z.output<Schema>;

describe('the OpenAPI answer schemas', () => {
  it('type exactly what the procedures answer', () => {
    expectTypeOf<RouterOutputs['analysis']['startDocumentAnalysis']>().toEqualTypeOf<Documented<typeof outputs.startedJobOutput>>();
    expectTypeOf<RouterOutputs['analysis']['startMany']>().toEqualTypeOf<Documented<typeof outputs.startManyOutput>>();
    expectTypeOf<RouterOutputs['jobs']['getJob']>().toEqualTypeOf<Documented<typeof outputs.jobSnapshotOutput>>();
    expectTypeOf<RouterOutputs['jobs']['pollJob']>().toEqualTypeOf<Documented<typeof outputs.jobPollOutput>>();
    expectTypeOf<RouterOutputs['jobs']['listJobs']>().toEqualTypeOf<Documented<typeof outputs.jobListOutput>>();
    expectTypeOf<RouterOutputs['jobs']['cancelJob']>().toEqualTypeOf<Documented<typeof outputs.cancelOutput>>();
    expectTypeOf<RouterOutputs['jobs']['retryJob']>().toEqualTypeOf<Documented<typeof outputs.retryOutput>>();
    expectTypeOf<RouterOutputs['jobs']['createTracked']>().toEqualTypeOf<Documented<typeof outputs.trackedCreatedOutput>>();
    expectTypeOf<RouterOutputs['jobs']['reportProgress']>().toEqualTypeOf<Documented<typeof outputs.trackedProgressOutput>>();
    expectTypeOf<RouterOutputs['jobs']['complete']>().toEqualTypeOf<Documented<typeof outputs.trackedCompletedOutput>>();
    expectTypeOf<RouterOutputs['jobs']['fail']>().toEqualTypeOf<Documented<typeof outputs.trackedFailedOutput>>();
  });

  it('cover every start procedure of the registry and name only procedures the router has', () => {
    const procedures = routerProcedures();
    const starts = [...procedures].filter(([path, procedure]) => path.startsWith('analysis.start') && procedure._def.type === 'mutation').map(([path]) => path);
    expect(starts.length).toBeGreaterThan(1);
    for (const path of [...starts, 'jobs.getJob', 'jobs.listJobs']) expect(Object.keys(publicProcedures)).toContain(path);
    for (const path of Object.keys(publicProcedures)) expect(procedures.has(path), path).toBe(true);
  });
});
