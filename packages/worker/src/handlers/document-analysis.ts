import { documentAnalysis } from '@jobkit/jobs';
import { removeStopwords, eng } from 'stopword';
import { defineHandler } from '../handler.ts';

const wordsPerMinute = 230;
const keywordCount = 10;
/** Report progress every this many sentences while scoring. */
const progressEvery = 200;

const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function wordsOf(text: string): string[] {
  const words: string[] = [];
  for (const segment of wordSegmenter.segment(text)) {
    if (segment.isWordLike) words.push(segment.segment.toLowerCase());
  }
  return words;
}

/** Words that carry meaning: no stopwords, no numbers, no single letters. */
function termsOf(words: readonly string[]): string[] {
  return removeStopwords([...words], eng).filter((word) => word.length > 1 && !/^\d+([.,]\d+)*$/.test(word));
}

/**
 * Counts, keywords by TF-IDF (each sentence a "document", so words spread evenly through the text
 * weigh less than words that mark its topics) and an extractive summary: the sentences whose
 * keywords score highest, length-normalised, in document order.
 */
export const documentAnalysisHandler = defineHandler(documentAnalysis, ({ input, progress, signal }) => {
  const { text } = input;
  progress(2, 'Reading the document', { stage: 'reading', sentencesDone: 0, sentencesTotal: 0 });
  const sentences = [...sentenceSegmenter.segment(text)].map((s) => s.segment.trim()).filter((s) => s.length > 0);
  const paragraphCount = text.split(/\n\s*\n/).filter((p) => p.trim().length > 0).length;
  const total = sentences.length;
  signal.throwIfAborted();

  progress(10, 'Counting words and sentences', { stage: 'counting', sentencesDone: 0, sentencesTotal: total });
  const sentenceTerms: string[][] = [];
  const termCounts = new Map<string, number>();
  const sentencesWithTerm = new Map<string, number>();
  let wordCount = 0;
  const uniqueWords = new Set<string>();
  for (const [index, sentence] of sentences.entries()) {
    const words = wordsOf(sentence);
    wordCount += words.length;
    for (const word of words) uniqueWords.add(word);
    const terms = termsOf(words);
    sentenceTerms.push(terms);
    for (const term of terms) termCounts.set(term, (termCounts.get(term) ?? 0) + 1);
    for (const term of new Set(terms)) sentencesWithTerm.set(term, (sentencesWithTerm.get(term) ?? 0) + 1);
    if ((index + 1) % progressEvery === 0) {
      signal.throwIfAborted();
      const percent = 10 + Math.floor((40 * (index + 1)) / total);
      progress(percent, 'Counting words and sentences', { stage: 'counting', sentencesDone: index + 1, sentencesTotal: total });
    }
  }

  progress(50, 'Finding keywords', { stage: 'keywords', sentencesDone: total, sentencesTotal: total });
  const termScore = new Map<string, number>();
  for (const [term, count] of termCounts) {
    const idf = Math.log(1 + total / (sentencesWithTerm.get(term) ?? 1));
    termScore.set(term, count * idf);
  }
  const topKeywords = [...termScore]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, keywordCount)
    .map(([term, score]) => ({ term, count: termCounts.get(term) ?? 0, score: Math.round(score * 100) / 100 }));
  signal.throwIfAborted();

  progress(75, 'Writing the summary', { stage: 'summarizing', sentencesDone: 0, sentencesTotal: total });
  const ranked = sentenceTerms
    .map((terms, position) => ({
      position,
      score: terms.reduce((sum, term) => sum + (termScore.get(term) ?? 0), 0) / Math.sqrt(terms.length || 1),
    }))
    .sort((a, b) => b.score - a.score || a.position - b.position)
    .slice(0, input.summarySentences)
    .sort((a, b) => a.position - b.position);

  return {
    characterCount: text.length,
    wordCount,
    uniqueWordCount: uniqueWords.size,
    sentenceCount: total,
    paragraphCount,
    averageWordsPerSentence: total === 0 ? 0 : Math.round((wordCount / total) * 10) / 10,
    readingTimeMinutes: Math.ceil(wordCount / wordsPerMinute),
    topKeywords,
    summary: ranked.map(({ position }) => ({ sentence: sentences[position] ?? '', position })),
  };
});
