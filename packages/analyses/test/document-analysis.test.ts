import type { documentAnalysis } from '../src/contracts/index.ts';
import type { JobOutput } from '@jobkit/contract';
import { describe, expect, it } from 'vitest';
import { documentAnalysisHandler } from '../src/handlers/document-analysis.ts';
import { runHandler } from '@jobkit/worker/testing';

async function analyse(text: string): Promise<JobOutput<typeof documentAnalysis>> {
  return runHandler(documentAnalysisHandler, { text });
}

const contract = `# Service agreement

1. Scope
The supplier delivers the monthly report to the customer. Questions go to billing@example.com or Legal@Example.org.

1.1 Fees
The customer pays $12,500.00 per quarter, and a setup fee of 3,000 EUR. The first payment is due on March 3, 2026.

## Termination
Either party may end the agreement with 30 days notice, effective no earlier than 15 January 2027.`;

describe('document analysis', () => {
  it('finds the language, readability, dates, amounts, emails and outline of a contract', async () => {
    const result = await analyse(contract);
    expect(result.language).toEqual({ code: 'eng', name: 'English' });
    expect(result.readability?.readingEase).toBeGreaterThan(30);
    expect(result.readability?.readingEase).toBeLessThan(90);
    expect(result.entities?.emails).toEqual(['billing@example.com', 'legal@example.org']);
    expect(result.entities?.amounts).toEqual(['$12,500.00', '3,000 EUR']);
    expect(result.entities?.dates.map((d) => d.date)).toEqual(['2026-03-03', '2027-01-15']);
    expect(result.outline).toEqual([
      { level: 1, title: 'Service agreement' },
      { level: 1, title: 'Scope' },
      { level: 2, title: 'Fees' },
      { level: 2, title: 'Termination' },
    ]);
  });

  it('tells German from English, and says so when a text is too short to tell', async () => {
    const german = await analyse(
      'Die Lieferung erfolgt monatlich an den Kunden. Der Kunde zahlt die Rechnung innerhalb von dreißig Tagen nach Erhalt der Ware.',
    );
    expect(german.language).toEqual({ code: 'deu', name: 'German' });
    expect((await analyse('Hi.')).language).toEqual({ code: 'und', name: 'Undetermined' });
  });

  it('scores plain short sentences as easier to read than long technical ones', async () => {
    const easy = await analyse('The cat sat. The dog ran. We had fun. It was a good day.');
    const hard = await analyse(
      'Notwithstanding the aforementioned contractual stipulations, the organisation shall indemnify all subsidiaries comprehensively against unforeseeable consequential liabilities.',
    );
    expect(easy.readability?.readingEase).toBeGreaterThan(hard.readability?.readingEase ?? 100);
    expect(easy.readability?.grade).toBeLessThan(hard.readability?.grade ?? 0);
  });
});
