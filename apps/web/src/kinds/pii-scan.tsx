import { maxDocumentLength } from '@jobkit/jobs';
import { useStartAnalysis } from '@jobkit/react';
import { useState, type SyntheticEvent } from 'react';
import { defineKindView, type FormProps, type ResultProps } from './define-view.ts';

/** Countries whose nationally written numbers (030 901820) are recognised; others need +country. */
const phoneCountries = [
  ['', 'International numbers only (+49 …)'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['GB', 'United Kingdom'],
  ['NL', 'Netherlands'],
  ['US', 'United States'],
] as const;

const typeLabels = { email: 'E-mail address', phone: 'Phone number', iban: 'IBAN', card: 'Payment card' } as const;
const typeCounts = { email: 'E-mail addresses', phone: 'Phone numbers', iban: 'IBANs', card: 'Payment cards' } as const;

function PiiScanForm({ onStarted, startOptions }: FormProps) {
  const [text, setText] = useState('');
  const [phoneCountry, setPhoneCountry] = useState('');
  const start = useStartAnalysis().piiScan;
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const input = { text, ...(phoneCountry === '' ? {} : { phoneCountry }) };
    start.mutate({ input, ...startOptions }, { onSuccess: ({ jobId }) => { onStarted(jobId); } });
  };
  return (
    <form onSubmit={submit} className="start-form">
      <label htmlFor="pii-scan-text">Text</label>
      <textarea id="pii-scan-text" rows={12} value={text} maxLength={maxDocumentLength} onChange={(e) => { setText(e.target.value); }} />
      <label htmlFor="pii-scan-country">Phone numbers written without a country code are from</label>
      <select id="pii-scan-country" value={phoneCountry} onChange={(e) => { setPhoneCountry(e.target.value); }}>
        {phoneCountries.map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
      <div className="form-footer">
        <span className="muted">{`${text.length.toLocaleString()} / ${maxDocumentLength.toLocaleString()} characters`}</span>
        <button type="submit" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Analyze'}
        </button>
      </div>
      {start.error && (
        <p role="alert" className="error">
          {start.error.message}
        </p>
      )}
    </form>
  );
}

function PiiScanResult({ result }: ResultProps<'piiScan'>) {
  return (
    <div className="result">
      <dl className="stats">
        {(['email', 'phone', 'iban', 'card'] as const).map((type) => (
          <div key={type}>
            <dt>{typeCounts[type]}</dt>
            <dd>{result.counts[type]}</dd>
          </div>
        ))}
      </dl>
      <h3>Findings</h3>
      {result.findings.length === 0 ? (
        <p className="muted">No personal data found.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr><th scope="col">Type</th><th scope="col">As written</th><th scope="col">Standard form</th><th scope="col">Characters</th></tr>
            </thead>
            <tbody>
              {result.findings.map((finding) => (
                <tr key={finding.start}>
                  <td>{typeLabels[finding.type]}</td>
                  <td>{finding.text}</td>
                  <td>{finding.value}</td>
                  <td>{`${finding.start}–${finding.end}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.findingsTruncated && <p className="muted">Only the first {result.findings.length} findings are listed; the counts are complete.</p>}
      <h3>Redacted text</h3>
      <pre>{result.redacted}</pre>
    </div>
  );
}

export const piiScanView = defineKindView('piiScan', {
  label: 'Personal data scan',
  hint: 'E-mail addresses, phone numbers, IBANs and card numbers, found and masked.',
  Form: PiiScanForm,
  Result: PiiScanResult,
});
