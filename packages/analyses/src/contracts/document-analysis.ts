import { z } from 'zod';
import { defineJob } from '@jobkit/contract';

/** Largest text accepted, in characters: about 150 pages of prose. */
export const maxDocumentLength = 500_000;

/** `extracting`: reading the text out of an uploaded file (pages of a PDF...). */
export const documentAnalysisStages = ['extracting', 'reading', 'counting', 'keywords', 'summarizing'] as const;

export const documentAnalysis = defineJob({
  kind: 'documentAnalysis',
  version: 1,
  title: 'Document analysis',
  input: z
    .object({
      title: z.string().trim().max(200, 'A title is at most 200 characters').optional(),
      /** Pasted text; or else `fileId`. */
      text: z
        .string()
        .refine((text) => text.trim().length > 0, 'Paste some text to analyse')
        .refine((text) => text.length <= maxDocumentLength, `A document is at most ${maxDocumentLength} characters`)
        .optional(),
      /** An uploaded PDF, DOCX, Markdown or text file; or else `text`. */
      fileId: z.uuid('fileId must be the id of an uploaded file').optional(),
      summarySentences: z.int().min(1).max(10).default(3),
    })
    .refine((input) => (input.text === undefined) !== (input.fileId === undefined), {
      message: 'Paste a text or upload a file (one of the two)',
      path: ['text'],
    }),
  fileInputs: { fileId: ['pdf', 'docx', 'markdown', 'text'] },
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
    // Added without a version bump: optional, so results stored before them still read.
    /** ISO 639-3 code and English name; `und` when the text is too short to tell. */
    language: z.object({ code: z.string(), name: z.string() }).optional(),
    /** Flesch reading ease (0-100, higher is easier) and Flesch-Kincaid grade, English formulas. */
    readability: z.object({ readingEase: z.number(), grade: z.number() }).optional(),
    /** What the text names: dates (as written and as ISO dates), amounts of money, emails. */
    entities: z
      .object({
        dates: z.array(z.object({ text: z.string(), date: z.string() })),
        amounts: z.array(z.string()),
        emails: z.array(z.string()),
      })
      .optional(),
    /** Headings found (Markdown `#`, numbered "1.2 Title" lines), with their depth. */
    outline: z.array(z.object({ level: z.int(), title: z.string() })).optional(),
    /** The uploaded file the text came from. */
    source: z.object({ name: z.string(), contentType: z.string(), pageCount: z.int().optional() }).optional(),
  }),
  timeoutMs: 60_000,
  maxAttempts: 3,
});
