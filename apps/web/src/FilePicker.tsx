import { fileTypes, type FileTypeName, type StoredFile } from '@jobkit/jobs';
import { trpc, useUpload } from '@jobkit/react';
import { useEffect } from 'react';
import { formatBytes } from './format.ts';

/**
 * A file input that uploads at once (with progress) and hands back the stored file, so the start
 * button only sends its id. The accepted types are the kind's; the server checks the content anyway.
 */
export function FilePicker({
  id,
  accept,
  onUploaded,
}: {
  id: string;
  accept: readonly FileTypeName[];
  onUploaded: (file: StoredFile | null) => void;
}) {
  const limits = trpc.files.limits.useQuery(undefined, { staleTime: Infinity });
  const { state, upload } = useUpload(limits.data?.maxUploadBytes);
  useEffect(() => {
    onUploaded(state.status === 'done' ? state.file : null);
  }, [state, onUploaded]);
  const extensions = accept.flatMap((name) => fileTypes[name].extensions);
  const labels = accept.map((name) => fileTypes[name].label).join(', ');

  return (
    <div className="file-picker">
      <input
        id={id}
        type="file"
        accept={extensions.join(',')}
        onChange={(event) => {
          const file = event.target.files?.[0];
          if (file) upload(file);
        }}
      />
      <p className="muted small">
        {labels}
        {limits.data ? `, up to ${formatBytes(limits.data.maxUploadBytes)}` : ''}
      </p>
      {state.status === 'uploading' && (
        <p className="upload-progress">
          <progress max={1} value={state.fraction} aria-label="Upload progress" /> Uploading {state.name}…{' '}
          {Math.round(state.fraction * 100)}%
        </p>
      )}
      {state.status === 'done' && (
        <p className="muted" data-testid="uploaded">
          Uploaded {state.file.name} ({formatBytes(state.file.size)})
        </p>
      )}
      {state.status === 'failed' && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
    </div>
  );
}
