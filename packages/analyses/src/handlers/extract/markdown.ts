/** Lines in the Markdown that the document analysis reads: its outline comes from `#` headings. */

export function headingLine(level: number, text: string): string {
  return `${'#'.repeat(Math.min(Math.max(level, 1), 6))} ${text}`;
}

/** Body text that happens to start like a heading ("# of units...") must not enter the outline. */
export function bodyText(text: string): string {
  return text.replace(/^(#{1,6}\s)/gm, '\\$1');
}

/** Spaces, tabs and no-break spaces as one space; line breaks kept, without the blanks around them. */
export function tidySpaces(text: string): string {
  return text
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .trim();
}
