import { describe, expect, it } from 'vitest';
import { maskedCard, passesLuhn, piiScanHandler } from '../src/handlers/pii-scan.ts';
import { runHandler } from '@jobkit/worker/testing';

const supportTicket = `Hi team,

please refund order 48213 to my account DE89 3704 0044 0532 0130 00 (not the old one, GB82 WEST 1234 5698 7654 32).
I paid with my card 4111 1111 1111 1111, exp 12/27. You can reach me at Jana.Novak@example.com
or on +49 30 901820, and my colleague on 030 22 33 44 55.

Reference 2026-03-03, ticket 4111 1111 1111 1112, transfer note DE89 3704 0044 0532 0130 01.`;

describe('personal data scan', () => {
  it('finds e-mail addresses, IBANs, card numbers and phone numbers in a support ticket, and redacts them', async () => {
    const result = await runHandler(piiScanHandler, { text: supportTicket, phoneCountry: 'DE' });
    expect(result.findings.map(({ type, text, value }) => ({ type, text, value }))).toEqual([
      { type: 'iban', text: 'DE89 3704 0044 0532 0130 00', value: 'DE89370400440532013000' },
      { type: 'iban', text: 'GB82 WEST 1234 5698 7654 32', value: 'GB82WEST12345698765432' },
      { type: 'card', text: '•••• •••• •••• 1111', value: '••••••••••••1111' },
      { type: 'email', text: 'Jana.Novak@example.com', value: 'jana.novak@example.com' },
      { type: 'phone', text: '+49 30 901820', value: '+4930901820' },
      { type: 'phone', text: '030 22 33 44 55', value: '+493022334455' },
    ]);
    expect(result.counts).toEqual({ email: 1, phone: 2, iban: 2, card: 1 });
    for (const finding of result.findings) {
      const written = supportTicket.slice(finding.start, finding.end);
      expect(finding.type === 'card' ? maskedCard(written) : written).toBe(finding.text);
    }
    expect(result.redacted).toContain('to my account [IBAN] (not the old one, [IBAN]).');
    expect(result.redacted).toContain('my card [CARD], exp 12/27. You can reach me at [EMAIL]\nor on [PHONE], and my colleague on [PHONE].');
    // The numbers failing their check digits (Luhn, mod 97) are left as they are.
    expect(result.redacted).toContain('ticket 4111 1111 1111 1112, transfer note DE89 3704 0044 0532 0130 01.');
    expect(result.findingsTruncated).toBe(false);
  });

  it('reads card numbers as their issuers print them, and only those passing Luhn', async () => {
    const text = 'Amex 3782 822463 10005, Mastercard 5555-5555-5555-4444, Visa 4012888888881881, wrong 5555-5555-5555-4445, zeros 0000 0000 0000 0000.';
    const result = await runHandler(piiScanHandler, { text });
    expect(result.findings.filter((finding) => finding.type === 'card').map((finding) => finding.value)).toEqual([
      '•••••••••••0005',
      '••••••••••••4444',
      '••••••••••••1881',
    ]);
    expect(result.findings.find((finding) => finding.type === 'card')?.text).toBe('•••• •••••• •0005');
    expect(JSON.stringify(result)).not.toContain('8224631');
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });

  it('counts only international phone numbers when no country is given', async () => {
    const result = await runHandler(piiScanHandler, { text: 'Call +44 20 7946 0958 or 020 7946 0958.' });
    expect(result.findings.map((finding) => finding.value)).toEqual(['+442079460958']);
    const british = await runHandler(piiScanHandler, { text: 'Call +44 20 7946 0958 or 020 7946 0958.', phoneCountry: 'GB' });
    expect(british.counts.phone).toBe(2);
  });

  it('does not take dates for phone numbers', async () => {
    const result = await runHandler(piiScanHandler, { text: 'Due 2026-03-03 or 03.03.2026, call 030 901820.', phoneCountry: 'DE' });
    expect(result.findings.map((finding) => finding.text)).toEqual(['030 901820']);
  });

  it('takes an IBAN written without spaces, and not one glued to more letters', async () => {
    const result = await runHandler(piiScanHandler, { text: 'Pay NL91ABNA0417164300 now; not NL91ABNA0417164300X.' });
    expect(result.findings.map((finding) => finding.value)).toEqual(['NL91ABNA0417164300']);
    expect(result.redacted).toBe('Pay [IBAN] now; not NL91ABNA0417164300X.');
  });

  it('lists the first thousand findings and counts them all', async () => {
    const text = Array.from({ length: 1200 }, (_, index) => `user${index}@example.org`).join('\n');
    const result = await runHandler(piiScanHandler, { text });
    expect(result.counts.email).toBe(1200);
    expect(result.findings).toHaveLength(1000);
    expect(result.findingsTruncated).toBe(true);
    expect(result.redacted.split('\n').every((line) => line === '[EMAIL]')).toBe(true);
  });

  it('refuses an empty text, and a country that has no phone numbering', async () => {
    await expect(runHandler(piiScanHandler, { text: ' \n ' })).rejects.toThrow('Paste some text to scan');
    await expect(runHandler(piiScanHandler, { text: 'x', phoneCountry: 'de' })).rejects.toThrow('two-letter ISO code');
    await expect(runHandler(piiScanHandler, { text: 'x', phoneCountry: 'XX' })).rejects.toThrow('XX is not a country with known phone numbers');
  });
});
