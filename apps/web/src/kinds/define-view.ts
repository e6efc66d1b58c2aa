import type { JobContracts, JobKind, JobOutput, StartableKind } from '@jobkit/jobs';
import type { StartRequest } from '@jobkit/react';
import type { ComponentType } from 'react';

/** What a kind's result view gets: the job's result, typed by the kind's output schema. */
export interface ResultProps<K extends JobKind> {
  result: JobOutput<JobContracts[K]>;
}

/** Start options that are the same for every kind, chosen on the "New analysis" page around the form. */
export type SharedStartOptions = Pick<StartRequest<StartableKind>, 'notifyByEmail'>;

/** What a kind's start form gets: where to go once the job is started, and the options to start it with. */
export interface FormProps {
  onStarted: (jobId: string) => void;
  /** Spread into the start request beside `input`. */
  startOptions: SharedStartOptions;
}

/**
 * How a kind looks in the web app. A startable kind must have a `Form` (the "New analysis" page
 * offers it); an internal kind (started by the system) cannot have one.
 */
export type KindViewSpec<K extends JobKind> = {
  /** The radio button's text on the "New analysis" page. */
  label: string;
  /** One line next to the label: what the analysis gives. */
  hint: string;
  Result: ComponentType<ResultProps<K>>;
} & (K extends StartableKind ? { Form: ComponentType<FormProps> } : { Form?: never });

export type KindView<K extends JobKind> = { kind: K } & KindViewSpec<K>;

/** One kind's view, checked against that kind's contract: a `Result` reading a field the output lacks fails to compile. */
export function defineKindView<const K extends JobKind>(kind: K, spec: KindViewSpec<K>): KindView<K> {
  return { kind, ...spec };
}
