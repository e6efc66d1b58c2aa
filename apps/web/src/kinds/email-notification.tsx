import { defineKindView, type ResultProps } from './define-view.ts';

function EmailNotificationResult({ result }: ResultProps<'emailNotification'>) {
  return <p>Sent at {new Date(result.sentAt).toLocaleString()}.</p>;
}

// Started by the database when a job that asked for it ends (internal): no form.
export const emailNotificationView = defineKindView('emailNotification', {
  label: 'E-mail notification',
  hint: 'An e-mail to the owner of a finished job, with a link to it.',
  Result: EmailNotificationResult,
});
