import { callTranscriptAnalysis, maxTranscriptLength } from '../contracts/index.ts';
import Sentiment from 'sentiment';
import { defineHandler, JobFailure } from '@jobkit/worker';
import { scoreTerms, sentencesOf, termsOf, topTerms, wordsOf } from './text/words.ts';
import { detectFormat, parseTranscript, type Turn } from './transcript/parse.ts';
import { readTextFile } from './uploaded-file.ts';

const wordsPerMinute = 150;
const maxListed = 50;
const maxTimeline = 1000;
// Commitments and next steps, as people say them on calls.
const actionPattern =
  /\b(i'll|i will|we'll|we will|let's|let us|action item|follow[ -]up|to-?do|need to|going to send|will send|by (monday|tuesday|wednesday|thursday|friday|tomorrow|next week|end of (the )?(day|week|month)))\b/i;

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** A turn cut off: by its timestamps (the next starts before it ended) or by a trailing dash. */
function interrupted(turn: Turn, next: Turn): boolean {
  if (turn.speaker === next.speaker) return false;
  if (turn.endSeconds !== null && next.startSeconds !== null && turn.startSeconds !== turn.endSeconds) {
    return next.startSeconds < turn.endSeconds;
  }
  return /(--|—|–|\.\.\.|…)$/.test(turn.text);
}

export const callTranscriptHandler = defineHandler(callTranscriptAnalysis, async ({ input, progress, signal, files }) => {
  progress(5, 'Reading the transcript', { stage: 'parsing', turnsDone: 0, turnsTotal: 0 });
  const transcript =
    input.fileId === undefined ? (input.transcript ?? '') : await readTextFile(files, input.fileId, maxTranscriptLength);
  const format = input.format === 'auto' ? detectFormat(transcript) : input.format;
  const turns = parseTranscript(transcript, format);
  if (turns.length === 0) {
    throw new JobFailure('EMPTY_TRANSCRIPT', `No turns found in this ${format} transcript.`, { retryable: false });
  }
  const total = turns.length;
  const timed = turns.some((turn) => turn.startSeconds !== null);
  signal.throwIfAborted();

  progress(20, 'Measuring who spoke', { stage: 'speakers', turnsDone: 0, turnsTotal: total });
  const sentiment = new Sentiment();
  const speakers = new Map<string, { turns: number; words: number; seconds: number; questions: number; sentiments: number[] }>();
  const questions: { speaker: string; text: string; atSeconds: number | null }[] = [];
  const actionItems: { speaker: string; text: string; atSeconds: number | null }[] = [];
  const timeline: { turn: number; speaker: string; atSeconds: number | null; sentiment: number }[] = [];
  const passages: string[][] = [];
  for (const [index, turn] of turns.entries()) {
    const words = wordsOf(turn.text);
    passages.push(termsOf(words));
    const score = round(sentiment.analyze(turn.text).comparative, 3);
    const stats = speakers.get(turn.speaker) ?? { turns: 0, words: 0, seconds: 0, questions: 0, sentiments: [] };
    stats.turns++;
    stats.words += words.length;
    stats.seconds += timed ? Math.max(0, (turn.endSeconds ?? 0) - (turn.startSeconds ?? 0)) : (words.length / wordsPerMinute) * 60;
    stats.sentiments.push(score);
    for (const sentence of sentencesOf(turn.text)) {
      if (sentence.endsWith('?')) {
        stats.questions++;
        if (questions.length < maxListed) questions.push({ speaker: turn.speaker, text: sentence, atSeconds: turn.startSeconds });
      }
      if (actionPattern.test(sentence) && actionItems.length < maxListed) {
        actionItems.push({ speaker: turn.speaker, text: sentence, atSeconds: turn.startSeconds });
      }
    }
    speakers.set(turn.speaker, stats);
    if (timeline.length < maxTimeline) timeline.push({ turn: index + 1, speaker: turn.speaker, atSeconds: turn.startSeconds, sentiment: score });
    if ((index + 1) % 100 === 0) {
      signal.throwIfAborted();
      progress(20 + Math.floor((60 * (index + 1)) / total), 'Scoring sentiment', { stage: 'sentiment', turnsDone: index + 1, turnsTotal: total });
    }
  }

  progress(85, 'Finding keywords', { stage: 'keywords', turnsDone: total, turnsTotal: total });
  const talkTotal = [...speakers.values()].reduce((sum, stats) => sum + stats.seconds, 0) || 1;
  const starts = turns.flatMap((turn) => (turn.startSeconds === null ? [] : [turn.startSeconds]));
  const ends = turns.flatMap((turn) => (turn.endSeconds === null ? [] : [turn.endSeconds]));
  const interruptions = turns.flatMap((turn, index) => {
    const next = turns[index + 1];
    return next && interrupted(turn, next) ? [{ by: next.speaker, interrupted: turn.speaker, atSeconds: next.startSeconds }] : [];
  });

  return {
    format,
    durationSeconds: timed && starts.length > 0 ? round(Math.max(...ends, ...starts) - Math.min(...starts), 1) : null,
    turns: total,
    speakers: [...speakers.entries()]
      .map(([name, stats]) => {
        const mean = stats.sentiments.reduce((sum, value) => sum + value, 0) / stats.sentiments.length;
        return {
          name,
          turns: stats.turns,
          words: stats.words,
          talkSeconds: round(stats.seconds, 1),
          talkShare: round(stats.seconds / talkTotal, 3),
          questions: stats.questions,
          sentiment: round(mean, 3),
          mood: mean > 0.05 ? ('positive' as const) : mean < -0.05 ? ('negative' as const) : ('neutral' as const),
        };
      })
      .sort((a, b) => b.talkSeconds - a.talkSeconds),
    interruptions: interruptions.slice(0, maxListed),
    questions,
    actionItems,
    keywords: topTerms(scoreTerms(passages), 10),
    timeline,
  };
});
