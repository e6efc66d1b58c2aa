import type { FileTypeName, StoredFile } from '@jobkit/jobs';
import { FilePicker } from './FilePicker.tsx';
import type { Source } from './SourceToggle.tsx';

/** The input of a kind that reads pasted text or an uploaded file holding it. */
export function TextOrFile(props: {
  source: Source;
  id: string;
  textLabel: string;
  fileLabel: string;
  accept: readonly FileTypeName[];
  onUploaded: (file: StoredFile | null) => void;
  text: string;
  onText: (text: string) => void;
  maxLength: number;
  placeholder: string;
}) {
  if (props.source === 'upload') {
    return (
      <>
        <label htmlFor={`${props.id}-file`}>{props.fileLabel}</label>
        <FilePicker id={`${props.id}-file`} accept={props.accept} onUploaded={props.onUploaded} />
      </>
    );
  }
  return (
    <>
      <label htmlFor={`${props.id}-text`}>{props.textLabel}</label>
      <textarea
        id={`${props.id}-text`}
        rows={12}
        value={props.text}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        onChange={(e) => { props.onText(e.target.value); }}
      />
    </>
  );
}
