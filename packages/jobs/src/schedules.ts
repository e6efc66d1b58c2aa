import { registerSchedules } from '@jobkit/contract/schedules';

export * from '@jobkit/contract/schedules';

/**
 * The schedules this app has: recurring jobs of its kinds, enqueued by every worker's scheduler
 * (each tick once) and listed, paused and resumed by admins (`schedules.*`). None ships: add yours
 * here, next to the kinds, e.g.
 *
 *   defineSchedule({
 *     name: 'nightly-pii-scan', cron: '0 30 2 * * *', timeZone: 'Europe/Berlin',
 *     job: piiScan, input: { text: '…' }, missedTicks: { catchUp: 1 },
 *   }),
 */
export const jobSchedules = registerSchedules([]);
