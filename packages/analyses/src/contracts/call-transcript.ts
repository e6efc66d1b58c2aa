import { z } from 'zod';
import { defineJob } from '@jobkit/contract';

export const maxTranscriptLength = 500_000;
export const transcriptFormats = ['speaker-lines', 'srt', 'vtt'] as const;

const spoken = z.object({ speaker: z.string(), text: z.string(), atSeconds: z.number().nullable() });

export const callTranscriptAnalysis = defineJob({
  kind: 'callTranscriptAnalysis',
  version: 1,
  title: 'Call transcript analysis',
  input: z
    .object({
      title: z.string().trim().max(200, 'A title is at most 200 characters').optional(),
      /** Pasted; or else `fileId`. */
      transcript: z
        .string()
        .refine((text) => text.trim().length > 0, 'Paste a transcript to analyse')
        .refine((text) => text.length <= maxTranscriptLength, `A transcript is at most ${maxTranscriptLength} characters`)
        .optional(),
      /** An uploaded WebVTT, SRT or text transcript; or else `transcript`. */
      fileId: z.uuid('fileId must be the id of an uploaded file').optional(),
      /** `auto` tells WebVTT, SRT and "Speaker: words" lines apart by their look. */
      format: z.enum(['auto', ...transcriptFormats]).default('auto'),
    })
    .refine((input) => (input.transcript === undefined) !== (input.fileId === undefined), {
      message: 'Paste a transcript or upload a file (one of the two)',
      path: ['transcript'],
    }),
  fileInputs: { fileId: ['vtt', 'srt', 'text'] },
  progress: z.object({
    stage: z.enum(['parsing', 'speakers', 'sentiment', 'keywords']),
    turnsDone: z.int().min(0),
    turnsTotal: z.int().min(0),
  }),
  output: z.object({
    format: z.enum(transcriptFormats),
    /** From the timestamps; null for a transcript without them. */
    durationSeconds: z.number().nullable(),
    turns: z.int(),
    speakers: z.array(
      z.object({
        name: z.string(),
        turns: z.int(),
        words: z.int(),
        /** Timed transcripts: sum of the speaker's cues; otherwise estimated at 150 words a minute. */
        talkSeconds: z.number(),
        talkShare: z.number(),
        questions: z.int(),
        /** Mean AFINN comparative score of the speaker's turns (-5..5 per word). */
        sentiment: z.number(),
        mood: z.enum(['positive', 'neutral', 'negative']),
      }),
    ),
    interruptions: z.array(z.object({ by: z.string(), interrupted: z.string(), atSeconds: z.number().nullable() })),
    questions: z.array(spoken),
    actionItems: z.array(spoken),
    keywords: z.array(z.object({ term: z.string(), count: z.int(), score: z.number() })),
    /** One point per turn: who spoke, when, and how positive it sounded. */
    timeline: z.array(z.object({ turn: z.int(), speaker: z.string(), atSeconds: z.number().nullable(), sentiment: z.number() })),
  }),
  timeoutMs: 120_000,
  maxAttempts: 3,
});
