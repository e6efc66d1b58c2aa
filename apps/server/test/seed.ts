import { z } from 'zod';
import { call } from './harness.ts';

const startedJob = z.object({ result: z.object({ data: z.object({ jobId: z.uuid() }) }) });
const createdToken = z.object({ result: z.object({ data: z.object({ id: z.uuid() }) }) });
const uploaded = z.object({ fileId: z.uuid() });

/**
 * Rows of a caller's own, made through the API as a client would, whose ids generated calls can
 * aim at: a queued analysis, a running tracked job, an uploaded file and a spare API token. Each
 * carries `marker` in its text, so an answer that shows it to someone else is easy to spot.
 */
export async function seedCallerRows(baseUrl: string, token: string, marker = 'seed'): Promise<string[]> {
  const analysis = await call(baseUrl, 'analysis.startDocumentAnalysis', 'mutation', { token, input: { input: { text: `A ${marker} document.` } } });
  const tracked = await call(baseUrl, 'jobs.createTracked', 'mutation', { token, input: { message: `A ${marker} export` } });
  const spare = await call(baseUrl, 'tokens.create', 'mutation', { token, input: { name: `${marker} token` } });
  const form = new FormData();
  form.append('file', new Blob([`Speaker A: hello ${marker}.\n`], { type: 'text/plain' }), `${marker}.txt`);
  const upload = await fetch(`${baseUrl}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return [
    startedJob.parse(analysis.body).result.data.jobId,
    startedJob.parse(tracked.body).result.data.jobId,
    createdToken.parse(spare.body).result.data.id,
    uploaded.parse(await upload.json()).fileId,
  ];
}
