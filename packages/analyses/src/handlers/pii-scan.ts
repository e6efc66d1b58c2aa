import { maxPiiFindingsListed, piiScan, type piiTypes } from '../contracts/index.ts';
import { electronicFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import { findPhoneNumbersInText, isSupportedCountry } from 'libphonenumber-js/max';
import { defineHandler, JobFailure } from '@jobkit/worker';

type PiiType = (typeof piiTypes)[number];

interface Finding {
  type: PiiType;
  text: string;
  value: string;
  start: number;
  end: number;
}

const emailPattern = /[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/gi;
/** Two letters, two check digits, then the account: together or in groups with single spaces. */
const ibanCandidatePattern = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}/g;
/**
 * 13 to 19 digits written together, in groups of four (16 or 19 digits), or as American Express
 * (4-6-5) and Diners (4-6-4) print them; one kind of separator, a space or a dash, throughout.
 */
const cardPattern = /(?<![\w-])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w-]|[.,]\d)/g;
/** Dates whose digits make a valid phone number in some country (2026-03-03 is a German one). */
const datePattern = /^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})$/;
const ibanLengths = getCountrySpecifications();
const placeholders: Record<PiiType, string> = { email: '[EMAIL]', phone: '[PHONE]', iban: '[IBAN]', card: '[CARD]' };

/** The Luhn checksum every payment card number carries in its last digit. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Which characters earlier findings hold: a later kind of finding may not overlap them. */
class Claims {
  private readonly taken: Uint8Array;
  readonly findings: Finding[] = [];
  constructor(length: number) {
    this.taken = new Uint8Array(length);
  }
  add(finding: Finding): boolean {
    if (this.taken.subarray(finding.start, finding.end).includes(1)) return false;
    this.taken.fill(1, finding.start, finding.end);
    this.findings.push(finding);
    return true;
  }
}

function findEmails(text: string, claims: Claims) {
  for (const match of text.matchAll(emailPattern)) {
    claims.add({ type: 'email', text: match[0], value: match[0].toLowerCase(), start: match.index, end: match.index + match[0].length });
  }
}

/**
 * A candidate runs on greedily (the words after an IBAN may look like more of it), so it is cut to
 * its country's IBAN length, counted in letters and digits, and then checked (mod 97).
 */
function findIbans(text: string, claims: Claims) {
  const pattern = new RegExp(ibanCandidatePattern);
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const length = ibanLengths[match[0].slice(0, 2)]?.chars ?? 0;
    let characters = 0;
    let end = match.index;
    for (const character of match[0]) {
      end++;
      if (character !== ' ') characters++;
      if (characters === length) break;
    }
    const candidate = text.slice(match.index, end);
    const iban = electronicFormatIBAN(candidate);
    const standsAlone = !/[A-Za-z0-9]/.test(text[end] ?? '');
    if (characters === length && iban !== null && standsAlone && isValidIBAN(iban)) {
      claims.add({ type: 'iban', text: candidate, value: iban, start: match.index, end });
      pattern.lastIndex = end;
    } else {
      pattern.lastIndex = match.index + 1;
    }
  }
}

/**
 * A card number with every digit but the last four replaced by `•`, spacing kept. The result is
 * stored, listed and shown to admins for as long as the job is kept: it must not be a second copy
 * of the number (card rules allow showing the last four).
 */
export function maskedCard(written: string): string {
  let digitsLeft = written.replace(/\D/g, '').length;
  return written.replace(/\d/g, (digit) => (digitsLeft-- > 4 ? '•' : digit));
}

function findCards(text: string, claims: Claims) {
  for (const match of text.matchAll(cardPattern)) {
    const digits = match[0].replace(/\D/g, '');
    // A run of one digit (0000 0000 0000 0000) passes Luhn, but is a placeholder, not a card.
    if (!passesLuhn(digits) || /^(\d)\1+$/.test(digits)) continue;
    claims.add({ type: 'card', text: maskedCard(match[0]), value: maskedCard(digits), start: match.index, end: match.index + match[0].length });
  }
}

function findPhones(text: string, claims: Claims, country: string | undefined) {
  if (country !== undefined && !isSupportedCountry(country)) {
    throw new JobFailure('UNKNOWN_PHONE_COUNTRY', `${country} is not a country with known phone numbers.`, { retryable: false });
  }
  const found = country === undefined ? findPhoneNumbersInText(text) : findPhoneNumbersInText(text, { defaultCountry: country });
  for (const { startsAt, endsAt, number } of found) {
    const written = text.slice(startsAt, endsAt);
    if (datePattern.test(written)) continue;
    claims.add({ type: 'phone', text: written, value: number.number, start: startsAt, end: endsAt });
  }
}

function redact(text: string, findings: readonly Finding[]): string {
  const parts: string[] = [];
  let from = 0;
  for (const finding of findings) {
    parts.push(text.slice(from, finding.start), placeholders[finding.type]);
    from = finding.end;
  }
  parts.push(text.slice(from));
  return parts.join('');
}

/**
 * Finds e-mail addresses, IBANs, payment card numbers and phone numbers, in that order (a later
 * kind never claims characters an earlier one holds: a card's digits are not also a phone number),
 * and returns them with a copy of the text where each is replaced by its type.
 */
export const piiScanHandler = defineHandler(piiScan, ({ input, progress, signal }) => {
  const { text } = input;
  const claims = new Claims(text.length);
  progress(5, 'Looking for e-mail addresses', { stage: 'emails' });
  findEmails(text, claims);
  signal.throwIfAborted();
  progress(25, 'Looking for IBANs', { stage: 'ibans' });
  findIbans(text, claims);
  signal.throwIfAborted();
  progress(45, 'Looking for payment card numbers', { stage: 'cards' });
  findCards(text, claims);
  signal.throwIfAborted();
  progress(65, 'Looking for phone numbers', { stage: 'phones' });
  findPhones(text, claims, input.phoneCountry);
  signal.throwIfAborted();
  progress(90, 'Writing the redacted copy', { stage: 'redacting' });
  const findings = claims.findings.sort((a, b) => a.start - b.start);
  const counts = { email: 0, phone: 0, iban: 0, card: 0 };
  for (const finding of findings) counts[finding.type]++;
  return {
    counts,
    findings: findings.slice(0, maxPiiFindingsListed),
    findingsTruncated: findings.length > maxPiiFindingsListed,
    redacted: redact(text, findings),
  };
});
