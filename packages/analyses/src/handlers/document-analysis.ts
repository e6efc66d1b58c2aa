import { documentAnalysis } from '../contracts/index.ts';
import { defineHandler } from '@jobkit/worker';
import { documentSource } from './document-source.ts';
import { detectLanguage, findEntities, outlineOf, readability } from './text/document-facts.ts';
import { scoreTerms, sentencesOf, termsOf, topTerms, wordsOf } from './text/words.ts';

const wordsPerMinute = 230;
const keywordCount = 10;
/** Report progress every this many sentences while counting. */
const progressEvery = 200;

/**
 * Counts, language, readability, keywords by TF-IDF (each sentence a passage), dates, amounts,
 * emails, the outline, and an extractive summary: the sentences whose keywords score highest,
 * length-normalised, in document order.
 */
export const documentAnalysisHandler = defineHandler(documentAnalysis, async ({ input, progress, signal, files }) => {
  const { text, file } = await documentSource(input, files, progress, signal);
  progress(10, 'Reading the document', { stage: 'reading', sentencesDone: 0, sentencesTotal: 0 });
  const sentences = sentencesOf(text);
  const paragraphCount = text.split(/\n\s*\n/).filter((p) => p.trim().length > 0).length;
  const total = sentences.length;
  signal.throwIfAborted();

  progress(10, 'Counting words and sentences', { stage: 'counting', sentencesDone: 0, sentencesTotal: total });
  const sentenceTerms: string[][] = [];
  const allWords: string[] = [];
  const uniqueWords = new Set<string>();
  for (const [index, sentence] of sentences.entries()) {
    const words = wordsOf(sentence);
    for (const word of words) {
      allWords.push(word);
      uniqueWords.add(word);
    }
    sentenceTerms.push(termsOf(words));
    if ((index + 1) % progressEvery === 0) {
      signal.throwIfAborted();
      const percent = 10 + Math.floor((40 * (index + 1)) / total);
      progress(percent, 'Counting words and sentences', { stage: 'counting', sentencesDone: index + 1, sentencesTotal: total });
    }
  }

  progress(50, 'Finding keywords', { stage: 'keywords', sentencesDone: total, sentencesTotal: total });
  const scored = scoreTerms(sentenceTerms);
  signal.throwIfAborted();

  const wordCount = allWords.length;
  progress(65, 'Finding dates, amounts and headings', { stage: 'keywords', sentencesDone: total, sentencesTotal: total });
  const facts = {
    language: detectLanguage(text),
    readability: readability(allWords, total),
    entities: findEntities(text),
    outline: outlineOf(text),
  };
  signal.throwIfAborted();

  progress(75, 'Writing the summary', { stage: 'summarizing', sentencesDone: 0, sentencesTotal: total });
  const ranked = sentenceTerms
    .map((terms, position) => ({
      position,
      score: terms.reduce((sum, term) => sum + (scored.get(term)?.score ?? 0), 0) / Math.sqrt(terms.length || 1),
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
    topKeywords: topTerms(scored, keywordCount),
    summary: ranked.map(({ position }) => ({ sentence: sentences[position] ?? '', position })),
    ...facts,
    ...(file ? { source: file } : {}),
  };
});
