import { z } from 'zod';

/** Where and as whom finish e-mails are sent, and where the links in them point. */
export interface EmailSettings {
  /** smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start). */
  smtp: {
    host: string;
    port: number;
    secure: boolean;
    /** From the URL's user and password, percent-decoded; none when the URL names no user. */
    auth: { user: string; pass: string } | undefined;
  };
  /** The sender, e.g. `Jobkit <jobs@example.com>`. */
  from: string;
  /** The domain of the sender's address: the right-hand side of each mail's Message-ID. */
  fromDomain: string;
  /** The web app's address as its users reach it; job links are made from it. */
  publicUrl: URL;
}

const variables = ['SMTP_URL', 'SMTP_FROM', 'PUBLIC_URL'] as const;

/** What the mail needs said, whatever was wrong with the value: SMTP_URL may hold a password. */
function checkSmtpUrl(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'SMTP_URL is not a URL: write smtp://user:password@host:port or smtps://user:password@host:port (user and password percent-encoded).';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') return 'SMTP_URL must start with smtp:// or smtps://.';
  if (url.hostname === '') return 'SMTP_URL names no host.';
  if (url.search !== '' || url.hash !== '' || (url.pathname !== '' && url.pathname !== '/')) {
    return 'SMTP_URL holds only the user, the password, the host and the port: no path, query or fragment.';
  }
  if (url.password !== '' && url.username === '') return 'SMTP_URL has a password but no user.';
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return 'SMTP_URL’s user or password has a % that starts no escape: write a % in them as %25.';
  }
  return null;
}

// One address, bare or with a display name: `jobs@example.com`, `Jobkit <jobs@example.com>`.
const senderPattern = /^(?:[^<>]*<\s*([^\s<>@]+@[^\s<>@]+)\s*>|([^\s<>@]+@[^\s<>@]+))$/;

/**
 * The e-mail settings the apps read from the environment, checked when they start. Each value is
 * checked on its own here; `requireCompleteEmailSettings` checks that they come together.
 */
export const emailEnvironmentShape = {
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .superRefine((value, context) => {
      const problem = value === undefined || value === '' ? null : checkSmtpUrl(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  SMTP_FROM: z
    .string()
    .trim()
    .optional()
    .refine((value) => value === undefined || value === '' || senderPattern.test(value), {
      message: 'SMTP_FROM is one address, e.g. jobs@example.com or "Jobkit <jobs@example.com>".',
    }),
  PUBLIC_URL: z
    .string()
    .trim()
    .optional()
    .refine((value) => value === undefined || value === '' || (/^https?:\/\/[^/]/.test(value) && URL.canParse(value)), {
      message: 'PUBLIC_URL is the web app’s address as its users reach it, e.g. https://jobs.example.com.',
    }),
};

type EmailEnvironment = Partial<Record<(typeof variables)[number], string | undefined>>;

/** A variable that is unset or empty. */
function missing(environment: EmailEnvironment): (typeof variables)[number][] {
  return variables.filter((name) => (environment[name] ?? '').trim() === '');
}

/**
 * For the apps' environment schemas (`.superRefine(requireCompleteEmailSettings)`): e-mail needs
 * all three settings, and one or two of them set is a mistake to say at start, not later.
 */
export function requireCompleteEmailSettings(environment: EmailEnvironment, context: z.RefinementCtx): void {
  const absent = missing(environment);
  if (absent.length > 0 && absent.length < variables.length) {
    context.addIssue({
      code: 'custom',
      path: [absent[0] ?? 'SMTP_URL'],
      message: `E-mail on finish needs SMTP_URL, SMTP_FROM and PUBLIC_URL together; ${absent.join(' and ')} ${absent.length === 1 ? 'is' : 'are'} missing.`,
    });
  }
}

const emailEnvironmentSchema = z.object(emailEnvironmentShape).superRefine(requireCompleteEmailSettings);

/**
 * The settings from SMTP_URL, SMTP_FROM and PUBLIC_URL; null when none is set (e-mail is then not
 * offered). Throws on values the apps' start-up check refuses, with that check's sentences, none
 * of which repeats a value.
 */
export function emailSettingsFrom(environment: EmailEnvironment): EmailSettings | null {
  const parsed = emailEnvironmentSchema.safeParse(environment);
  if (!parsed.success) throw new Error(`Invalid e-mail settings:\n${z.prettifyError(parsed.error)}`);
  const { SMTP_URL: smtpUrl, SMTP_FROM: from, PUBLIC_URL: publicUrl } = parsed.data;
  if (!smtpUrl || !from || !publicUrl) return null;
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  const address = senderPattern.exec(from);
  const fromAddress = address?.[1] ?? address?.[2] ?? from;
  return {
    smtp: {
      // An IPv6 host comes bracketed from URL; sockets want it bare.
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
      secure,
      auth: url.username === '' ? undefined : { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
    },
    from,
    fromDomain: fromAddress.slice(fromAddress.lastIndexOf('@') + 1),
    // A trailing slash, so that links resolve under a path prefix (https://example.com/jobkit/).
    publicUrl: new URL(publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`),
  };
}
