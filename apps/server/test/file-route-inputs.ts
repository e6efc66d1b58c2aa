/**
 * Malformed requests to the plain HTTP file routes (`POST /files`, `GET /files/:id`), none of which
 * may store anything: multipart bodies without a boundary, cut off, with broken part headers, two
 * files, fields that are not files, the wrong content type; ids that are not ids.
 */
import fc from 'fast-check';
import type { CallResult } from './harness.ts';

const boundary = 'jobkitboundary';

function part(headers: string, content: string): string {
  return `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
}

const filePart = (name: string, content = 'Some text.') =>
  part(`Content-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: text/plain`, content);

/** Multipart bodies and content types that are wrong in one way each (or in several). */
const uploads: fc.Arbitrary<{ contentType: string; body: string }> = fc.oneof(
  fc.constantFrom(
    { contentType: 'multipart/form-data', body: filePart('a.txt') + `--${boundary}--\r\n` },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: filePart('a.txt') },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: filePart('a.txt').slice(0, 60) },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: `--${boundary}\r\nnot a header\r\n\r\nx\r\n--${boundary}--\r\n` },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: filePart('a.txt') + filePart('b.txt') + `--${boundary}--\r\n` },
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: part('Content-Disposition: form-data; name="note"', 'hello') + `--${boundary}--\r\n`,
    },
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: part('Content-Disposition: form-data; name="other"; filename="a.txt"', 'x') + `--${boundary}--\r\n`,
    },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: '' },
    { contentType: `multipart/form-data; boundary=${boundary}`, body: `--${boundary}--\r\n` },
    { contentType: 'application/json', body: '{"file":"a.txt"}' },
    { contentType: 'text/plain', body: 'just text' },
    { contentType: 'application/x-www-form-urlencoded', body: 'file=a.txt' },
    { contentType: 'multipart/form-data; boundary=', body: filePart('a.txt') },
    { contentType: `multipart/mixed; boundary=${boundary}`, body: filePart('a.txt') + `--${boundary}--\r\n` },
  ),
  // A file part with a hostile name and content that is not text.
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 200 }))
    .map(([name, bytes]) => ({
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: filePart(name.replace(/["\r\n]/g, ''), `\u0000${Buffer.from(bytes).toString('latin1')}`) + `--${boundary}--\r\n`,
    })),
  // Garbage after a valid start.
  fc.string({ unit: 'binary', maxLength: 300 }).map((junk) => ({ contentType: `multipart/form-data; boundary=${boundary}`, body: `--${boundary}\r\n${junk}` })),
);

const fileIds = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%00', '%ED%A0%80', 'null', '0', '-1', 'x'.repeat(4000)),
);

async function answerOf(response: Response): Promise<CallResult> {
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: response.status, body: text };
  }
}

/** Sends every generated malformed file request; each answer comes back with what was sent. */
export async function malformedFileRequests(baseUrl: string, token: string): Promise<(CallResult & { what: string })[]> {
  const answers: (CallResult & { what: string })[] = [];
  const authorization = `Bearer ${token}`;
  for (const { contentType, body } of fc.sample(uploads, { numRuns: 150, seed: 51 })) {
    const response = await fetch(`${baseUrl}/files`, { method: 'POST', headers: { authorization, 'content-type': contentType }, body });
    answers.push({ what: `POST /files (${contentType})`, ...(await answerOf(response)) });
  }
  for (const id of fc.sample(fileIds, { numRuns: 60, seed: 52 })) {
    const path = /^[\w%.-]*$/.test(id) ? id : encodeURIComponent(id);
    answers.push({ what: 'GET /files/:id', ...(await answerOf(await fetch(`${baseUrl}/files/${path}`, { headers: { authorization } }))) });
  }
  return answers;
}
