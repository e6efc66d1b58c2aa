export interface ExtractOptions {
  /** Checked between pages (PDF) and between steps; an aborted extraction rejects with its reason. */
  signal: AbortSignal;
  /** PDFs only: called after each page with the pages done and the page count. */
  onPage?: (done: number, total: number) => void;
}

export interface ExtractedDocument {
  /**
   * The document as plain text with Markdown headings (`#`, `##`...) where the format marks them
   * and blank lines between paragraphs (and between PDF pages). A paragraph is one line unless
   * the document breaks it (a DOCX line break); list items and table rows are a line each.
   */
  text: string;
  /** PDFs only. */
  pageCount?: number;
  /** The document's own title: a PDF's metadata title, a DOCX's Title-styled paragraph. */
  title?: string;
}
