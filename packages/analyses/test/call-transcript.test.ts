import type { callTranscriptAnalysis } from '../src/contracts/index.ts';
import type { JobOutput } from '@jobkit/contract';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { callTranscriptHandler } from '../src/handlers/call-transcript.ts';
import { runHandler } from '@jobkit/worker/testing';
import { detectFormat, parseTranscript } from '../src/handlers/transcript/parse.ts';

async function analyse(transcript: string): Promise<JobOutput<typeof callTranscriptAnalysis>> {
  const stages: string[] = [];
  const output = await runHandler(callTranscriptHandler, { transcript }, {
    onProgress: (_percent, message) => {
      if (message) stages.push(message);
    },
  });
  expect(stages[0]).toBe('Reading the transcript');
  return output;
}

const fixture = (name: string) => readFile(new URL(`./fixtures/transcripts/${name}`, import.meta.url), 'utf8');

describe('call transcript analysis', () => {
  it('reads an SRT call: talk time from the cues, an interruption, questions, action items and moods', async () => {
    const srt = await fixture('support-call.srt');
    expect(detectFormat(srt)).toBe('srt');
    const result = await analyse(srt);
    expect(result).toMatchObject({ format: 'srt', durationSeconds: 30, turns: 5 });
    expect(result.speakers.map((s) => [s.name, s.turns, s.talkSeconds, s.questions])).toEqual([
      ['Agent', 3, 16.5, 1],
      ['Customer', 2, 13, 1],
    ]);
    // The customer starts frustrated (turn 2) and ends pleased (turn 4); the agent's apology reads negative.
    expect(result.timeline.map((point) => Math.sign(point.sentiment))).toEqual([1, -1, -1, 1, 1]);
    expect(result.interruptions).toEqual([{ by: 'Agent', interrupted: 'Customer', atSeconds: 13 }]);
    expect(result.questions.map((q) => q.text)).toEqual(['How can I help you today?', 'Can you email me when it works?']);
    expect(result.actionItems.map((a) => [a.speaker, a.text])).toEqual([
      ['Agent', 'I will check the export logs now.'],
      ['Agent', "I'll send you an update by Friday."],
    ]);
    expect(result.keywords.map((k) => k.term)).toContain('export');
    expect(result.timeline).toHaveLength(5);
  });

  it('reads WebVTT voices and scores a happy stand-up as positive', async () => {
    const vtt = await fixture('standup.vtt');
    const result = await analyse(vtt);
    expect(result.format).toBe('vtt');
    expect(result.speakers.map((s) => [s.name, s.turns, s.mood])).toEqual([
      ['Dana', 2, 'positive'],
      ['Eli', 1, 'positive'],
    ]);
    expect(result.speakers.reduce((sum, s) => sum + s.talkShare, 0)).toBeCloseTo(1, 2);
  });

  it('reads "Speaker: words" lines, estimating talk time from words and spotting cut-off turns', async () => {
    const text = ['Maya: We should ship on Tuesday because the--', 'Omar: Sorry, the tests are red.', 'Still red this morning.', 'Maya: Then let us fix them first?'].join('\n');
    expect(parseTranscript(text, 'speaker-lines').map((t) => t.speaker)).toEqual(['Maya', 'Omar', 'Maya']);
    const result = await analyse(text);
    expect(result).toMatchObject({ format: 'speaker-lines', durationSeconds: null, turns: 3 });
    expect(result.interruptions).toEqual([{ by: 'Omar', interrupted: 'Maya', atSeconds: null }]);
    const omar = result.speakers.find((s) => s.name === 'Omar');
    expect(omar).toMatchObject({ words: 9, talkSeconds: 3.6 });
    expect(result.actionItems.map((a) => a.text)).toEqual(['Then let us fix them first?']);
  });

  it('fails for good, saying why, on a transcript it cannot read or that has no turns', async () => {
    await expect(analyse('WEBVTT\n\nnot a cue')).rejects.toMatchObject({ code: 'UNREADABLE_TRANSCRIPT', retryable: false });
    await expect(analyse('1\njust words')).resolves.toMatchObject({ format: 'speaker-lines' });
    await expect(runHandler(callTranscriptHandler, { transcript: 'WEBVTT\n', format: 'vtt' })).rejects.toMatchObject({ code: 'EMPTY_TRANSCRIPT', message: 'No turns found in this vtt transcript.' });
  });
});
