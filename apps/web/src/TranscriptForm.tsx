import { maxTranscriptLength, transcriptFormats } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';

const formatLabels = { auto: 'Detect', 'speaker-lines': 'Speaker: words', srt: 'SRT subtitles', vtt: 'WebVTT' } as const;
const formats = ['auto', ...transcriptFormats] as const;

export function TranscriptForm({ onStarted }: { onStarted: (jobId: string) => void }) {
  const [transcript, setTranscript] = useState('');
  const [format, setFormat] = useState<(typeof formats)[number]>('auto');
  const start = useStartAnalysis().callTranscriptAnalysis;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    start.mutate({ input: { transcript, format } }, { onSuccess: ({ jobId }) => { onStarted(jobId); } });
  };
  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="transcript-format">Format</label>
      <select id="transcript-format" value={format} onChange={(e) => { setFormat(formats.find((f) => f === e.target.value) ?? 'auto'); }}>
        {formats.map((f) => (
          <option key={f} value={f}>{formatLabels[f]}</option>
        ))}
      </select>
      <label htmlFor="transcript-text">Transcript</label>
      <textarea
        id="transcript-text"
        rows={12}
        value={transcript}
        maxLength={maxTranscriptLength}
        placeholder={'Agent: Thanks for calling, how can I help?\nCustomer: My export fails since Monday.'}
        onChange={(e) => { setTranscript(e.target.value); }}
      />
      <div className="form-footer">
        <span className="muted">{transcript.length.toLocaleString()} / {maxTranscriptLength.toLocaleString()} characters</span>
        <button type="submit" disabled={start.isPending}>{start.isPending ? 'Starting…' : 'Analyze'}</button>
      </div>
      {start.error && <p role="alert" className="error">{start.error.message}</p>}
    </form>
  );
}
