export { forgetActiveJob, rememberActiveJob, useActiveJobs } from './active-jobs.ts';
export { defaultPollPolicy, nextPoll, type PollDecision, type PollPolicy, type PollState } from './poll-policy.ts';
export { defaultStreamPolicy, initialWatch, nextDeadline, nextWatch, transports, type StreamPolicy, type WatchEvent, type WatchMode, type WatchState } from './stream-policy.ts';
export { trpc } from './trpc.ts';
export { useAdminChanges } from './use-admin-changes.ts';
export { useJob, type JobOfKind, type JobPollState, type UseJobOptions, type UseJobResult } from './use-job.ts';
export { useStartAnalysis, type StartMutations, type StartRequest } from './use-start-analysis.ts';
export { uploadFile, UploadError, useUpload, type UploadState } from './upload.ts';
export { useUserActiveJobs, type FinishedJob, type UserActiveJobsOptions } from './use-user-active-jobs.ts';
