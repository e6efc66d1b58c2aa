import { z } from 'zod';
import { defineJob } from '../define.ts';

/** Largest text accepted, in characters: about 150 pages of prose. */
export const maxDocumentLength = 500_000;

export const documentAnalysisStages = ['reading', 'counting', 'keywords', 'summarizing'] as const;

export const documentAnalysis = defineJob({
  kind: 'documentAnalysis',
  version: 1,
  title: 'Document analysis',
  input: z.object({
    title: z.string().trim().max(200, 'A title is at most 200 characters').optional(),
    text: z
      .string()
      .refine((text) => text.trim().length > 0, 'Paste some text to analyse')
      .refine((text) => text.length <= maxDocumentLength, `A document is at most ${maxDocumentLength} characters`),
    summarySentences: z.int().min(1).max(10).default(3),
  }),
  progress: z.object({
    stage: z.enum(documentAnalysisStages),
    sentencesDone: z.int().min(0),
    sentencesTotal: z.int().min(0),
  }),
  output: z.object({
    characterCount: z.int(),
    wordCount: z.int(),
    uniqueWordCount: z.int(),
    sentenceCount: z.int(),
    paragraphCount: z.int(),
    averageWordsPerSentence: z.number(),
    /** At 230 words per minute, rounded up; 0 for no words. */
    readingTimeMinutes: z.int(),
    topKeywords: z.array(z.object({ term: z.string(), count: z.int(), score: z.number() })),
    /** The highest-scoring sentences, in document order. */
    summary: z.array(z.object({ sentence: z.string(), position: z.int() })),
  }),
  timeoutMs: 60_000,
  maxAttempts: 3,
});
