import { eng, removeStopwords } from 'stopword';
import { segmentsOf } from './segments.ts';

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** Lower-cased words, by Unicode word boundaries (no punctuation, any script). */
export function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const segment of segmentsOf(wordSegmenter, text)) {
    if (segment.isWordLike) words.push(segment.segment.toLowerCase());
  }
  return words;
}

export function sentencesOf(text: string): string[] {
  const sentences: string[] = [];
  for (const { segment } of segmentsOf(sentenceSegmenter, text)) {
    const sentence = segment.trim();
    if (sentence.length > 0) sentences.push(sentence);
  }
  return sentences;
}

/** Words that carry meaning: no stopwords, no numbers, no single letters. */
export function termsOf(words: readonly string[]): string[] {
  return removeStopwords([...words], eng).filter((word) => word.length > 1 && !/^\d+([.,]\d+)*$/.test(word));
}

export interface ScoredTerm {
  term: string;
  count: number;
  score: number;
}

/**
 * TF-IDF over passages (sentences, turns): a term's count times the log of how few passages use
 * it, so words spread evenly through a text weigh less than the words that mark its topics.
 */
export function scoreTerms(passages: readonly (readonly string[])[]): Map<string, ScoredTerm> {
  const counts = new Map<string, number>();
  const passagesWith = new Map<string, number>();
  for (const terms of passages) {
    for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    for (const term of new Set(terms)) passagesWith.set(term, (passagesWith.get(term) ?? 0) + 1);
  }
  const scored = new Map<string, ScoredTerm>();
  for (const [term, count] of counts) {
    const score = count * Math.log(1 + passages.length / (passagesWith.get(term) ?? 1));
    scored.set(term, { term, count, score: Math.round(score * 100) / 100 });
  }
  return scored;
}

export function topTerms(scored: Map<string, ScoredTerm>, count: number): ScoredTerm[] {
  return [...scored.values()].sort((a, b) => b.score - a.score || a.term.localeCompare(b.term)).slice(0, count);
}
