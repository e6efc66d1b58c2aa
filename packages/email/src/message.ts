import type { ParsedJobInput } from '@jobkit/contract';
import type { emailNotification } from './contract.ts';

export interface FinishMessage {
  subject: string;
  text: string;
  /** The job's page in the web app. */
  link: string;
}

type Notice = Pick<ParsedJobInput<typeof emailNotification>, 'jobId' | 'status'>;

/** How the first line says it ended. */
function endedAs(status: Notice['status']): string {
  switch (status) {
    case 'completed':
      return 'has completed';
    case 'failed':
      return 'has failed; its page says why';
    case 'cancelled':
      return 'was cancelled';
  }
}

/**
 * The mail for a job that ended: its kind's title and how it ended, and a link to its page. Only
 * that: a result (or an error message, which may quote the input) can be sensitive and stays
 * behind the sign-in, so a mail forwarded or read on a shared screen gives nothing away.
 */
export function finishMessage(notice: Notice, title: string, publicUrl: URL): FinishMessage {
  const link = new URL(`jobs/${encodeURIComponent(notice.jobId)}`, publicUrl).href;
  return {
    subject: `${title} ${notice.status}`,
    link,
    text: [
      `Your job "${title}" ${endedAs(notice.status)}.`,
      '',
      `Open it: ${link}`,
      '',
      'You asked for this e-mail when you started the job. None of the job’s data is in it: open the job to see that.',
      '',
    ].join('\n'),
  };
}
