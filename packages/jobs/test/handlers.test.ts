import { describe, expect, it } from 'vitest';
import { handlers, schedules } from '../src/handlers.ts';
import { isScheduleRegistry, jobSchedules } from '../src/schedules.ts';
import { contractFor, jobContracts } from '../src/registry.ts';

describe('the handlers module workers load', () => {
  it('has a handler for every kind but tracked jobs, each bound to the registry’s contract', () => {
    const runByWorkers = Object.keys(jobContracts).filter((kind) => kind !== 'tracked');
    expect(Object.keys(handlers).sort()).toEqual(runByWorkers.sort());
    for (const [kind, handler] of Object.entries(handlers)) expect(handler.contract).toBe(contractFor(kind));
  });

  it('exports the app’s schedules, for the scheduler of every worker that loads it', () => {
    expect(schedules).toBe(jobSchedules);
    expect(isScheduleRegistry(schedules)).toBe(true);
  });
});
