import { llmFindingsSchema } from '../contracts/index.ts';
import { z } from 'zod';
import { JobFailure } from '@jobkit/worker';

export interface LlmSettings {
  baseUrl: string;
  apiKey: string;
  model: string;
}

/** The endpoint from LLM_BASE_URL, LLM_API_KEY and LLM_MODEL; null unless all three are set. */
export function llmSettingsFrom(env: NodeJS.ProcessEnv): LlmSettings | null {
  const { LLM_BASE_URL: baseUrl, LLM_API_KEY: apiKey, LLM_MODEL: model } = env;
  return baseUrl && apiKey && model ? { baseUrl: baseUrl.replace(/\/+$/, ''), apiKey, model } : null;
}

/** Models read a bounded context; the head of a longer document is what they get. */
const maxCharacters = 60_000;

const chatCompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

const instructions =
  'You analyse documents for busy readers. Answer in the JSON schema given: a faithful summary, ' +
  'the key points, the main topics and the overall sentiment. Use only what the document says.';

/** fetch's own message is "fetch failed"; what failed (ECONNREFUSED, a DNS error) is its cause. */
function networkErrorOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

/**
 * One structured-output request to an OpenAI-compatible `/chat/completions` endpoint. Failures
 * say whether retrying can help: network trouble, 408, 429 and 5xx can; other refusals cannot.
 */
export async function requestFindings(settings: LlmSettings, document: { title?: string | undefined; text: string }, signal: AbortSignal) {
  const text = document.text.length > maxCharacters ? `${document.text.slice(0, maxCharacters)}\n[…truncated]` : document.text;
  let response: Response;
  try {
    response = await fetch(`${settings.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.apiKey}` },
      body: JSON.stringify({
        model: settings.model,
        messages: [
          { role: 'system', content: instructions },
          { role: 'user', content: document.title ? `Title: ${document.title}\n\n${text}` : text },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'document_findings', strict: true, schema: z.toJSONSchema(llmFindingsSchema) },
        },
      }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    // The provider's address is this deployment's business: the owner reads that it failed.
    throw new JobFailure('LLM_UNREACHABLE', 'The language model could not be reached.', {
      cause: error,
      detail: `${settings.baseUrl}: ${networkErrorOf(error)}`,
    });
  }
  if (!response.ok) {
    const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
    await response.body?.cancel();
    throw new JobFailure(retryable ? 'LLM_BUSY' : 'LLM_REJECTED', `The language model answered HTTP ${response.status}.`, { retryable });
  }
  const completion = chatCompletionSchema.safeParse(await response.json().catch(() => null));
  const content = completion.success ? completion.data.choices[0]?.message.content : null;
  let findings: unknown = null;
  try {
    findings = content ? JSON.parse(content) : null;
  } catch {
    // Not JSON: reported below like any answer of the wrong shape.
  }
  const parsed = llmFindingsSchema.safeParse(findings);
  if (!parsed.success) {
    throw new JobFailure('LLM_BAD_ANSWER', 'The language model did not answer in the expected shape.');
  }
  return { ...parsed.data, model: (completion.success ? completion.data.model : undefined) ?? settings.model };
}
