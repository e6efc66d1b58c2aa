export type Source = 'paste' | 'upload';

/** Paste the text, or upload a file holding it. */
export function SourceToggle({ value, onChange }: { value: Source; onChange: (source: Source) => void }) {
  return (
    <div className="segmented" role="radiogroup" aria-label="Source">
      {(['paste', 'upload'] as const).map((choice) => (
        <label key={choice}>
          <input type="radio" name="source" checked={value === choice} onChange={() => { onChange(choice); }} />{' '}
          {choice === 'paste' ? 'Paste text' : 'Upload a file'}
        </label>
      ))}
    </div>
  );
}
