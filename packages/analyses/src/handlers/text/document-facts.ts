import * as chrono from 'chrono-node';
import { franc } from 'franc';
import { syllable } from 'syllable';

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
const maxListed = 50;

/** The text's language by trigram statistics (franc); `und` below a few sentences' worth. */
export function detectLanguage(text: string): { code: string; name: string } {
  const code = franc(text.slice(0, 20_000), { minLength: 20 });
  return { code, name: code === 'und' ? 'Undetermined' : (languageNames.of(code) ?? code) };
}

/** Flesch reading ease and Flesch-Kincaid grade; their English formulas, rounded to one decimal. */
export function readability(words: readonly string[], sentenceCount: number): { readingEase: number; grade: number } {
  if (words.length === 0 || sentenceCount === 0) return { readingEase: 0, grade: 0 };
  const syllables = words.reduce((sum, word) => sum + Math.max(1, syllable(word)), 0);
  const wordsPerSentence = words.length / sentenceCount;
  const syllablesPerWord = syllables / words.length;
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    readingEase: round(206.835 - 1.015 * wordsPerSentence - 84.6 * syllablesPerWord),
    grade: round(0.39 * wordsPerSentence + 11.8 * syllablesPerWord - 15.59),
  };
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].slice(0, maxListed);
}

const emailPattern = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
// A currency sign or code next to a number: $1,200.50, €30, 45 EUR, USD 2.5 million, 12k GBP.
const amountPattern =
  /(?:[$€£¥]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion|thousand))?)|(?:\b(?:USD|EUR|GBP|JPY|CHF|CAD|AUD)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand))?)|(?:\b\d[\d,]*(?:\.\d+)?\s?(?:USD|EUR|GBP|JPY|CHF|CAD|AUD|dollars|euros|pounds)\b)/gi;

/**
 * Dates the text names (chrono-node's strict mode: "June 3, 2026", "15 January 2027"; a year left
 * out is taken relative to `reference`), amounts of money and email addresses. Casual phrases
 * ("this quarter", "next Friday") are left out: resolved against the day the job ran, they would
 * state dates the document never gave.
 */
export function findEntities(text: string, reference = new Date()) {
  const dates = chrono.strict.parse(text.slice(0, 200_000), reference).map((found) => ({
    text: found.text,
    date: found.start.date().toISOString().slice(0, 10),
  }));
  return {
    dates: [...new Map(dates.map((date) => [date.text, date])).values()].slice(0, maxListed),
    amounts: unique(text.match(amountPattern) ?? []),
    emails: unique((text.match(emailPattern) ?? []).map((email) => email.toLowerCase())),
  };
}

/** Markdown headings (`#`, `##`...) and numbered headings ("2.1 Scope") on lines of their own. */
export function outlineOf(text: string): { level: number; title: string }[] {
  const outline: { level: number; title: string }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const markdown = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    const numbered = /^(\d+(?:\.\d+){0,3})\.?\s+([A-Z][^.!?]{1,80})$/.exec(line.trim());
    if (markdown?.[1] && markdown[2]) outline.push({ level: markdown[1].length, title: markdown[2] });
    else if (numbered?.[1] && numbered[2]) outline.push({ level: numbered[1].split('.').length, title: numbered[2].trim() });
    if (outline.length >= 100) break;
  }
  return outline;
}
