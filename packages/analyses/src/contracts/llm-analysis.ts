import { z } from 'zod';
import { defineJob } from '@jobkit/contract';
import { maxDocumentLength } from './document-analysis.ts';

/** What the model is asked to return; sent to it as a JSON schema (structured output). */
export const llmFindingsSchema = z.object({
  summary: z.string().max(4000),
  keyPoints: z.array(z.string().max(500)).max(10),
  topics: z.array(z.string().max(100)).max(10),
  sentiment: z.enum(['positive', 'neutral', 'negative', 'mixed']),
});

/**
 * A document read by a language model behind any OpenAI-compatible endpoint. Offered only when the
 * server is configured with one (LLM_BASE_URL, LLM_API_KEY, LLM_MODEL); otherwise starting it is
 * refused with a message that says so.
 */
export const llmAnalysis = defineJob({
  kind: 'llmAnalysis',
  version: 1,
  title: 'LLM analysis',
  input: z.object({
    title: z.string().trim().max(200).optional(),
    text: z
      .string()
      .refine((text) => text.trim().length > 0, 'Paste some text to analyse')
      .refine((text) => text.length <= maxDocumentLength, `A document is at most ${maxDocumentLength} characters`),
  }),
  progress: z.object({ stage: z.enum(['sending', 'reading-answer']) }),
  output: llmFindingsSchema.extend({ model: z.string() }),
  timeoutMs: 120_000,
  maxAttempts: 4,
  backoff: { initialDelayMs: 5_000, maxDelayMs: 120_000 },
});
