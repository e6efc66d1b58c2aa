import { parseSync } from 'subtitle';
import { JobFailure } from '@jobkit/worker';

export type TranscriptFormat = 'speaker-lines' | 'srt' | 'vtt';

export interface Turn {
  speaker: string;
  text: string;
  startSeconds: number | null;
  endSeconds: number | null;
}

export const unknownSpeaker = 'Unknown speaker';

export function detectFormat(text: string): TranscriptFormat {
  const start = text.trimStart();
  if (start.startsWith('WEBVTT')) return 'vtt';
  if (/^\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/m.test(start)) return 'srt';
  return 'speaker-lines';
}

// "Alice: ...", "[00:01:23] Alice: ...", "00:01:23 Alice: ..."; a name is short and starts with a letter.
const speakerLine = /^(?:\[?((?:\d{1,2}:)?\d{1,2}:\d{2})(?:\.\d+)?\]?\s+)?(\p{L}[\p{L}\p{N} .'-]{0,39}):\s*(.*)$/u;

function clockToSeconds(clock: string): number {
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

/** Consecutive pieces by the same speaker make one turn. */
function appendTurn(turns: Turn[], next: Turn): void {
  const last = turns.at(-1);
  if (last && last.speaker === next.speaker) {
    last.text = `${last.text} ${next.text}`.trim();
    last.endSeconds = next.endSeconds ?? last.endSeconds;
    return;
  }
  turns.push(next);
}

function parseSpeakerLines(text: string): Turn[] {
  const turns: Turn[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const match = speakerLine.exec(trimmed);
    if (match?.[2] !== undefined) {
      const at = match[1] ? clockToSeconds(match[1]) : null;
      appendTurn(turns, { speaker: match[2].trim(), text: (match[3] ?? '').trim(), startSeconds: at, endSeconds: at });
    } else {
      const last = turns.at(-1);
      if (last) last.text = `${last.text} ${trimmed}`.trim();
      else turns.push({ speaker: unknownSpeaker, text: trimmed, startSeconds: null, endSeconds: null });
    }
  }
  // Untimed turns that carry a start time end where the next one starts.
  for (const [index, turn] of turns.entries()) {
    const next = turns[index + 1];
    if (turn.startSeconds !== null && next?.startSeconds != null) turn.endSeconds = next.startSeconds;
  }
  return turns;
}

function readCues(text: string, format: TranscriptFormat): ReturnType<typeof parseSync> {
  try {
    return parseSync(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new JobFailure('UNREADABLE_TRANSCRIPT', `This transcript does not read as ${format.toUpperCase()}: ${reason}.`, {
      retryable: false,
    });
  }
}

function parseCues(text: string, format: TranscriptFormat): Turn[] {
  const turns: Turn[] = [];
  for (const node of readCues(text, format)) {
    if (node.type !== 'cue') continue;
    const raw = node.data.text.replace(/\r?\n/g, ' ');
    // WebVTT names the voice in a tag (<v Alice>); otherwise "Alice: " may start the cue.
    const voice = /<v(?:\.[^\s>]+)*\s+([^>]+)>/.exec(raw)?.[1]?.trim();
    const plain = raw.replace(/<[^>]+>/g, '').trim();
    const named = voice ? null : speakerLine.exec(plain);
    appendTurn(turns, {
      speaker: voice ?? named?.[2]?.trim() ?? unknownSpeaker,
      text: named?.[3]?.trim() ?? plain,
      startSeconds: node.data.start / 1000,
      endSeconds: node.data.end / 1000,
    });
  }
  return turns;
}

export function parseTranscript(text: string, format: TranscriptFormat): Turn[] {
  return format === 'speaker-lines' ? parseSpeakerLines(text) : parseCues(text, format);
}
