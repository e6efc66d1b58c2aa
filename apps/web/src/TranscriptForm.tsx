import { maxTranscriptLength, transcriptFormats, type StoredFile } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { SourceToggle, type Source } from './SourceToggle.tsx';
import { TextOrFile } from './TextOrFile.tsx';
import type { FormProps } from './kinds/define-view.ts';

const formatLabels = { auto: 'Detect', 'speaker-lines': 'Speaker: words', srt: 'SRT subtitles', vtt: 'WebVTT' } as const;
const formats = ['auto', ...transcriptFormats] as const;

export function TranscriptForm({ onStarted, startOptions }: FormProps) {
  const [transcript, setTranscript] = useState('');
  const [format, setFormat] = useState<(typeof formats)[number]>('auto');
  const [source, setSource] = useState<Source>('paste');
  const [file, setFile] = useState<StoredFile | null>(null);
  const start = useStartAnalysis().callTranscriptAnalysis;

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const from = source === 'upload' ? (file ? { fileId: file.fileId } : null) : { transcript };
    if (from) start.mutate({ input: { ...from, format }, ...startOptions }, { onSuccess: ({ jobId }) => { onStarted(jobId); } });
  };
  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="transcript-format">Format</label>
      <select id="transcript-format" value={format} onChange={(e) => { setFormat(formats.find((f) => f === e.target.value) ?? 'auto'); }}>
        {formats.map((f) => (
          <option key={f} value={f}>{formatLabels[f]}</option>
        ))}
      </select>
      <SourceToggle value={source} onChange={setSource} />
      <TextOrFile
        source={source}
        id="transcript"
        textLabel="Transcript"
        fileLabel="Transcript file"
        accept={['vtt', 'srt', 'text']}
        onUploaded={setFile}
        text={transcript}
        onText={setTranscript}
        maxLength={maxTranscriptLength}
        placeholder={'Agent: Thanks for calling, how can I help?\nCustomer: My export fails since Monday.'}
      />
      <div className="form-footer">
        <span className="muted">
          {source === 'upload' ? '' : `${transcript.length.toLocaleString()} / ${maxTranscriptLength.toLocaleString()} characters`}
        </span>
        <button type="submit" disabled={start.isPending || (source === 'upload' && !file)}>{start.isPending ? 'Starting…' : 'Analyze'}</button>
      </div>
      {start.error && <p role="alert" className="error">{start.error.message}</p>}
    </form>
  );
}
