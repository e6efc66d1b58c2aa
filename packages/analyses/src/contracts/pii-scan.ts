import { z } from 'zod';
import { defineJob } from '@jobkit/contract';
import { maxDocumentLength } from './document-analysis.ts';

/** What the scan looks for: e-mail addresses, phone numbers, IBANs (mod-97 checked), payment cards (Luhn checked). */
export const piiTypes = ['email', 'phone', 'iban', 'card'] as const;

/** Findings listed one by one; the counts go on past it. */
export const maxPiiFindingsListed = 1000;

export const piiScan = defineJob({
  kind: 'piiScan',
  version: 1,
  title: 'Personal data scan',
  input: z.object({
    text: z
      .string()
      .refine((text) => text.trim().length > 0, 'Paste some text to scan')
      .refine((text) => text.length <= maxDocumentLength, `A text is at most ${maxDocumentLength} characters`),
    /**
     * Where numbers written without their country code (030 901820) are from, as an ISO 3166 code
     * (DE); without it only international numbers (+49 30 901820) count.
     */
    phoneCountry: z
      .string()
      .regex(/^[A-Z]{2}$/, 'A country is its two-letter ISO code, such as DE or US')
      .optional(),
  }),
  progress: z.object({ stage: z.enum(['emails', 'ibans', 'cards', 'phones', 'redacting']) }),
  output: z.object({
    counts: z.object({ email: z.int(), phone: z.int(), iban: z.int(), card: z.int() }),
    /** In text order, none overlapping; `start`..`end` (exclusive) are offsets into the text, in UTF-16 code units. */
    findings: z.array(
      z.object({
        type: z.enum(piiTypes),
        /** As written in the text; a card number with all but its last four digits masked (`•••• •••• •••• 1111`). */
        text: z.string(),
        /** Its standard form: the e-mail lower-cased, the phone number in E.164, the IBAN without spaces, the masked card number without spaces. */
        value: z.string(),
        start: z.int(),
        end: z.int(),
      }),
    ),
    /** True when there were more than `maxPiiFindingsListed` findings (the first ones are listed). */
    findingsTruncated: z.boolean(),
    /** The text with each finding replaced by its type in brackets: `[EMAIL]`, `[PHONE]`, `[IBAN]`, `[CARD]`. */
    redacted: z.string(),
  }),
  timeoutMs: 60_000,
  maxAttempts: 3,
});
