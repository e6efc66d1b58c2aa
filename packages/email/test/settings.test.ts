import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emailEnvironmentShape, emailSettingsFrom, requireCompleteEmailSettings } from '../src/settings.ts';

const complete = { SMTP_URL: 'smtp://mailer:p%40ss%3Aw0rd@mail.example.com:2525', SMTP_FROM: 'Jobkit <jobs@example.com>', PUBLIC_URL: 'https://jobs.example.com' };

/** What an app's start-up check says of these settings (its schema spreads the shape and adds the rule). */
function startUpCheck(environment: Record<string, string>): string {
  const parsed = z.object(emailEnvironmentShape).superRefine(requireCompleteEmailSettings).safeParse(environment);
  return parsed.success ? 'ok' : z.prettifyError(parsed.error);
}

describe('the SMTP settings', () => {
  it('are off when none is set, and read from the URL when all three are', () => {
    expect(emailSettingsFrom({})).toBeNull();
    expect(emailSettingsFrom({ SMTP_URL: '', SMTP_FROM: '', PUBLIC_URL: '' })).toBeNull();
    expect(emailSettingsFrom(complete)).toEqual({
      smtp: { host: 'mail.example.com', port: 2525, secure: false, auth: { user: 'mailer', pass: 'p@ss:w0rd' } },
      from: 'Jobkit <jobs@example.com>',
      fromDomain: 'example.com',
      publicUrl: new URL('https://jobs.example.com/'),
    });
    expect(emailSettingsFrom({ ...complete, SMTP_URL: 'smtps://relay.example.com', SMTP_FROM: 'jobs@example.org' })).toMatchObject({
      smtp: { host: 'relay.example.com', port: 465, secure: true, auth: undefined },
      fromDomain: 'example.org',
    });
    expect(emailSettingsFrom({ ...complete, SMTP_URL: 'smtp://[::1]' })?.smtp).toMatchObject({ host: '::1', port: 587 });
  });

  it('are refused at start when only some are set, naming the missing ones', () => {
    expect(startUpCheck(complete)).toBe('ok');
    expect(startUpCheck({})).toBe('ok');
    expect(startUpCheck({ SMTP_URL: complete.SMTP_URL })).toContain(
      'E-mail on finish needs SMTP_URL, SMTP_FROM and PUBLIC_URL together; SMTP_FROM and PUBLIC_URL are missing.',
    );
    expect(() => emailSettingsFrom({ SMTP_URL: complete.SMTP_URL, SMTP_FROM: complete.SMTP_FROM })).toThrow(/PUBLIC_URL is missing/);
  });

  it('say what is wrong with a value without repeating it: SMTP_URL may hold a password', () => {
    const secret = `hunter-${randomUUID()}`;
    const cases: [Record<string, string>, RegExp][] = [
      [{ SMTP_URL: `http://user:${secret}@mail.example.com` }, /SMTP_URL must start with smtp:\/\/ or smtps:\/\//],
      [{ SMTP_URL: `smtp://user:${secret}@mail.example.com/path?x=1` }, /no path, query or fragment/],
      [{ SMTP_URL: `smtp://user:${secret}%zz@mail.example.com` }, /starts no escape/],
      [{ SMTP_URL: `smtp://:${secret}@mail.example.com` }, /a password but no user/],
      [{ SMTP_URL: `not a url ${secret}` }, /SMTP_URL is not a URL/],
      [{ SMTP_FROM: `${secret} and more` }, /SMTP_FROM is one address/],
      [{ PUBLIC_URL: `ftp://${secret}` }, /PUBLIC_URL is the web app’s address/],
    ];
    for (const [values, message] of cases) {
      const said = startUpCheck({ ...complete, ...values });
      expect(said).toMatch(message);
      expect(said).not.toContain(secret);
      expect(() => emailSettingsFrom({ ...complete, ...values })).toThrow(message);
    }
  });
});
