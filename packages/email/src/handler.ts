import { defineHandler, JobFailure, type HandlerContext } from '@jobkit/worker';
import nodemailer, { type NodemailerError } from 'nodemailer';
import { emailNotification } from './contract.ts';
import { finishMessage } from './message.ts';
import { emailSettingsFrom, type EmailSettings } from './settings.ts';

// Bounded well inside the kind's 60 s deadline, so a server that accepts the connection and then
// says nothing fails the attempt (to be retried) instead of waiting out its deadline.
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

export interface EmailNotificationHandlerOptions {
  /** The title of a job kind ("Document analysis"), for the subject; undefined for a kind this code does not know. */
  titleOf: (kind: string) => string | undefined;
  /** Where to send from; by default SMTP_URL, SMTP_FROM and PUBLIC_URL as this process has them (the apps check them at start). */
  settings?: () => EmailSettings | null;
}

/**
 * What the owner reads when an attempt fails: whether the server answered, and its reply code,
 * which says nothing of the installation; what the server said (and where it is) is for admins.
 */
function failureFor(error: unknown): JobFailure {
  if (!(error instanceof Error)) return new JobFailure('EMAIL_NOT_SENT', 'The e-mail could not be sent.', { detail: String(error) });
  // Nodemailer's errors are Errors with optional fields of its own: any Error is one.
  const failure: NodemailerError = error;
  const detail = [failure.code, failure.command, failure.response ?? failure.message].filter((part) => part !== undefined).join(': ');
  if (failure.responseCode !== undefined) {
    // Every refusal is retried, 5xx included: the server is this installation's own relay, and its
    // refusals (authentication, relaying, a sender it does not accept) are most often its
    // configuration, which an admin fixes while the attempts wait.
    return new JobFailure('EMAIL_REFUSED', `The mail server did not take the e-mail (it answered ${failure.responseCode}).`, { cause: error, detail });
  }
  return new JobFailure('EMAIL_SERVER_UNREACHABLE', 'The mail server could not be reached.', { cause: error, detail });
}

/**
 * Sends the owner an e-mail saying that their job ended, with a link to its page and nothing of
 * its data (see finishMessage), through the SMTP server of SMTP_URL. The Message-ID is made from
 * the delivery's id, the same on every retry, so a receiver can drop a repeat (an attempt that
 * sent the mail but could not record it is tried again).
 *
 * Inline: one short exchange with the mail server that honours the job's signal (nodemailer
 * closes the connection when it fires).
 */
export function createEmailNotificationHandler(options: EmailNotificationHandlerOptions) {
  const settingsNow = options.settings ?? (() => emailSettingsFrom(process.env));
  return defineHandler(
    emailNotification,
    async ({ input, jobId, signal }: HandlerContext<typeof emailNotification>) => {
      const settings = settingsNow();
      if (!settings) {
        // Retried: another worker (or this one, restarted with the settings) can still send it.
        throw new JobFailure('EMAIL_NOT_CONFIGURED', 'The e-mail was not sent: the worker that took it has no mail server configured.', {
          detail: 'SMTP_URL, SMTP_FROM and PUBLIC_URL are not set in this worker process.',
        });
      }
      const message = finishMessage(input, options.titleOf(input.kind) ?? input.kind, settings.publicUrl);
      const messageId = `<${jobId}@${settings.fromDomain}>`;
      const transport = nodemailer.createTransport({ ...settings.smtp, ...smtpTimeouts });
      try {
        await transport.sendMail({
          from: settings.from,
          to: input.to,
          subject: message.subject,
          text: message.text,
          messageId,
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        throw failureFor(error);
      } finally {
        transport.close();
      }
      return { outcome: 'sent' as const, messageId, sentAt: new Date().toISOString() };
    },
    { isolation: 'inline' },
  );
}
