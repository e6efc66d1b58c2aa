/**
 * A real SMTP server for tests (the `smtp-server` package, by nodemailer's author), started by the
 * test itself on 127.0.0.1 and a free port. It records every message it takes and can refuse
 * recipients with a reply code, to prove retries. `smtp-server` is a devDependency: import this
 * module from tests only.
 */
import { once } from 'node:events';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

export interface ReceivedMail {
  /** MAIL FROM and RCPT TO of the envelope. */
  envelopeFrom: string;
  envelopeTo: string[];
  /** The header lines, names lower-cased (folded lines unfolded). */
  headers: Record<string, string>;
  /** The body, quoted-printable decoded. */
  text: string;
  /** The message as it arrived. */
  raw: string;
}

export interface TestSmtpServer {
  readonly port: number;
  /** smtp://user:password@127.0.0.1:port with the user and password this server accepts. */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** RCPT TO commands seen so far, refused ones included. */
  recipientCommands(): number;
  /** Refuse the next RCPT TO commands with these reply codes, one each, then accept again. */
  refuseRecipients(codes: number[]): void;
  close(): Promise<void>;
}

/** The user and password the test server accepts; the password has characters a URL must escape. */
export const testSmtpCredentials = { user: 'jobkit', pass: 'p@ss:w/rd%' };

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => `%${hex}`);
  // Percent-escape what is not already an escape, so that decodeURIComponent reads bytes back as UTF-8.
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

function parseMail(raw: string): Pick<ReceivedMail, 'headers' | 'text'> {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = Object.fromEntries(
    head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const quoted = /quoted-printable/i.test(headers['content-transfer-encoding'] ?? '');
  return { headers, text: quoted ? decodeQuotedPrintable(body) : body };
}

/** Starts the server; `port` 0 (the default) takes a free one, another number reopens a closed server's port. */
export async function startTestSmtpServer(options: { port?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let refusals: number[] = [];
  let recipientCommands = 0;
  const server = new SMTPServer({
    logger: false,
    // Plain SMTP on loopback: no certificate to trust, and the password still has to be right.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === testSmtpCredentials.user && auth.password === testSmtpCredentials.pass) {
        callback(null, { user: auth.username });
        return;
      }
      const refused: SMTPServerError = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
      callback(refused);
    },
    onRcptTo(_address, _session, callback) {
      recipientCommands++;
      const code = refusals.shift();
      if (code === undefined) {
        callback();
        return;
      }
      const refused: SMTPServerError = Object.assign(new Error(`Refused by the test (${code})`), { responseCode: code });
      callback(refused);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { mailFrom, rcptTo } = session.envelope;
        received.push({ envelopeFrom: mailFrom ? mailFrom.address : '', envelopeTo: rcptTo.map((to) => to.address), raw, ...parseMail(raw) });
        callback();
      });
    },
  });
  const listener = server.listen(options.port ?? 0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('the SMTP server has no TCP address');
  const { port } = address;
  const credentials = `${encodeURIComponent(testSmtpCredentials.user)}:${encodeURIComponent(testSmtpCredentials.pass)}`;
  return {
    port,
    url: `smtp://${credentials}@127.0.0.1:${port}`,
    received,
    recipientCommands: () => recipientCommands,
    refuseRecipients(codes) {
      refusals = [...codes];
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(resolve);
      });
    },
  };
}

/**
 * Sets this process's SMTP_URL, SMTP_FROM and PUBLIC_URL (what the e-mail handler reads at each
 * send, as in the apps' workers) to send through `server`; the function it returns unsets them.
 */
export function sendMailThrough(server: Pick<TestSmtpServer, 'url'>, settings: { from: string; publicUrl: string }): () => void {
  process.env.SMTP_URL = server.url;
  process.env.SMTP_FROM = settings.from;
  process.env.PUBLIC_URL = settings.publicUrl;
  return () => {
    delete process.env.SMTP_URL;
    delete process.env.SMTP_FROM;
    delete process.env.PUBLIC_URL;
  };
}
