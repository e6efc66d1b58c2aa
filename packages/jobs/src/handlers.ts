import { analysisHandlers } from '@jobkit/analyses/handlers';
import { createEmailNotificationHandler } from '@jobkit/email/handler';
import { webhookDeliveryHandler } from '@jobkit/webhooks/handler';
import { registerHandlers, type JobHandler } from '@jobkit/worker';
import { contractFor, type JobContracts, type JobKind } from './registry.ts';
import type { trackedJob } from './tracked.ts';

/** Kinds our workers run: all but tracked jobs, which other systems run and report. */
type WorkerKind = Exclude<JobKind, (typeof trackedJob)['kind']>;

const handlersByKind = {
  ...analysisHandlers,
  webhookDelivery: webhookDeliveryHandler,
  // The subject names the finished job's kind by its title, which only the registry knows.
  emailNotification: createEmailNotificationHandler({ titleOf: (kind) => contractFor(kind)?.title }),
} satisfies { [Kind in WorkerKind]: JobHandler<JobContracts[Kind]> };

/** The handlers of every kind in the registry. Loaded by the worker and by each handler thread. */
export const handlers = registerHandlers(Object.values(handlersByKind));

/** The schedules every worker loading this module enqueues (its scheduler reads this export). */
export { jobSchedules as schedules } from './schedules.ts';

/** Pass this to `createWorker({ handlersModule })`. */
export const defaultHandlersModule = import.meta.url;
