import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineJob, UnreadablePayloadVersion, type Upcasters } from '../src/index.ts';

const inputV1 = z.object({ name: z.string() });
const inputV2 = z.object({ first: z.string(), last: z.string() });
const inputV3 = z.object({ first: z.string(), last: z.string(), title: z.string().default('') });

const common = {
  kind: 'greeting',
  title: 'Greeting',
  progress: z.object({}),
  output: z.object({}),
  timeoutMs: 1000,
  maxAttempts: 1,
};

function splitName(v1: { name: string }) {
  const [first = '', ...rest] = v1.name.split(' ');
  return { first, last: rest.join(' ') };
}

const greetingV3 = defineJob({
  ...common,
  version: 3,
  input: inputV3,
  previous: { 1: inputV1, 2: inputV2 },
  upcast: { 1: splitName, 2: (v2) => ({ ...v2, title: 'Dr' }) },
});

describe('payload versions', () => {
  it('parses a job stored as an earlier version with its own schema and takes it step by step to today', () => {
    expect(greetingV3.readableVersions).toEqual([1, 2, 3]);
    expect(greetingV3.upcastInput(1, { name: 'Ada King Lovelace' })).toEqual({ first: 'Ada', last: 'King Lovelace', title: 'Dr' });
    expect(greetingV3.upcastInput(2, { first: 'Grace', last: 'Hopper' })).toEqual({ first: 'Grace', last: 'Hopper', title: 'Dr' });
    // Today's version is left to today's schema, as every job's input is.
    expect(greetingV3.upcastInput(3, { anything: true })).toEqual({ anything: true });
  });

  it('says which version it cannot read, and why an old input does not fit', () => {
    expect(() => greetingV3.upcastInput(4, {})).toThrow(UnreadablePayloadVersion);
    expect(() => greetingV3.upcastInput(4, {})).toThrow(/queued as version 4, newer than this worker reads \(3\)/);
    const dropped = defineJob({ ...common, version: 3, input: inputV3, previous: { 2: inputV2 }, upcast: { 2: (v2) => v2 } });
    expect(() => dropped.upcastInput(1, { name: 'x' })).toThrow(/version 1, which this version of Jobkit no longer reads \(it reads greeting versions 2, 3\)/);
    expect(() => greetingV3.upcastInput(1, { name: 42 })).toThrow(z.ZodError);
  });

  it('refuses a broken chain at definition time too', () => {
    const upcastOnly = { upcast: { 1: () => ({}) } } as const;
    expect(() => defineJob({ ...common, version: 2, input: inputV2, ...upcastOnly })).toThrow(/upcast\[1\] has no previous\[1\] schema/);
    expect(() => defineJob({ ...common, version: 3, input: inputV3, previous: { 1: inputV1 }, upcast: { 1: () => { throw new Error('gap'); } } })).toThrow(
      /version 1 upcasts to version 2, which is not kept in previous/,
    );
    // @ts-expect-error version 2's step would have to make a version 3 this kind does not have
    expect(() => defineJob({ ...common, version: 2, input: inputV2, previous: { 2: inputV2 }, upcast: { 2: (v) => v } })).toThrow(/from 1 to 1/);
  });

  it('checks each upcaster at compile time: version n in, version n + 1 out', () => {
    type Steps = Upcasters<3, typeof inputV3, { 1: typeof inputV1; 2: typeof inputV2 }>;
    expectTypeOf<Parameters<Steps[1]>[0]>().toEqualTypeOf<{ name: string }>();
    expectTypeOf<ReturnType<Steps[1]>>().toEqualTypeOf<{ first: string; last: string }>();
    expectTypeOf<Parameters<Steps[2]>[0]>().toEqualTypeOf<{ first: string; last: string }>();
    // Today's input as its schema accepts it: the defaulted title may be left out.
    expectTypeOf<ReturnType<Steps[2]>>().toEqualTypeOf<{ first: string; last: string; title?: string | undefined }>();
    // A step past a version that is not kept can produce nothing.
    expectTypeOf<ReturnType<Upcasters<3, typeof inputV3, { 1: typeof inputV1 }>[1]>>().toBeNever();

    defineJob({
      ...common,
      version: 2,
      input: inputV2,
      previous: { 1: inputV1 },
      // @ts-expect-error version 2 needs `first` and `last`, not `name`
      upcast: { 1: (v1) => ({ name: v1.name }) },
    });
    defineJob({
      ...common,
      version: 2,
      input: inputV2,
      previous: { 1: inputV1 },
      // @ts-expect-error the step of version 1 gets version 1's input, which has no `first`
      upcast: { 1: (v1: { first: string }) => ({ first: v1.first, last: '' }) },
    });
    expect(() =>
      defineJob({
        ...common,
        version: 2,
        input: inputV2,
        previous: { 1: inputV1 },
        // @ts-expect-error every kept version needs its step
        upcast: {},
      }),
    ).toThrow(/version 1 has no upcast\[1\]/);
  });
});
