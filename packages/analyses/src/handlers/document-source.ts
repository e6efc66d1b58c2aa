import { maxDocumentLength, type documentAnalysis } from '../contracts/index.ts';
import { type JobProgressData, type ParsedJobInput } from '@jobkit/contract';
import { JobFailure, type HandlerFiles } from '@jobkit/worker';
import { extractText, isExtractableContentType } from './extract/index.ts';
import { readWholeFile } from './uploaded-file.ts';

/**
 * An uploaded document is read whole (PDF and DOCX parsers need random access), so it is bounded:
 * 50 MB of PDF is hundreds of pages, far past the 500,000 characters the analysis takes anyway.
 */
export const maxDocumentFileBytes = 50 * 1024 * 1024;

export interface DocumentSource {
  text: string;
  file?: { name: string; contentType: string; pageCount?: number };
}

type Progress = (percent: number, message: string, data: JobProgressData<typeof documentAnalysis>) => void;

/** The text to analyse: pasted, or extracted from the uploaded file (progress 0-10%). */
export async function documentSource(
  input: ParsedJobInput<typeof documentAnalysis>,
  files: HandlerFiles,
  progress: Progress,
  signal: AbortSignal,
): Promise<DocumentSource> {
  if (input.fileId === undefined) return { text: input.text ?? '' };
  const file = await files.info(input.fileId);
  const extracting = { stage: 'extracting', sentencesDone: 0, sentencesTotal: 0 } as const;
  progress(1, `Reading ${file.name}`, extracting);
  if (!isExtractableContentType(file.contentType)) {
    throw new JobFailure('UNSUPPORTED_FILE', `${file.name} is ${file.contentType}; documents can be PDF, DOCX, Markdown or text.`, {
      retryable: false,
    });
  }
  const { bytes } = await readWholeFile(files, input.fileId, maxDocumentFileBytes);
  const document = await extractText(bytes, file.contentType, {
    signal,
    onPage: (done, total) => {
      progress(1 + Math.floor((8 * done) / total), `Reading page ${done} of ${total}`, extracting);
    },
  });
  if (document.text.trim().length === 0) {
    throw new JobFailure('EMPTY_DOCUMENT', `${file.name} has no text to analyse.`, { retryable: false });
  }
  if (document.text.length > maxDocumentLength) {
    throw new JobFailure(
      'DOCUMENT_TOO_LONG',
      `${file.name} holds ${document.text.length.toLocaleString('en-US')} characters of text; a document is at most ${maxDocumentLength.toLocaleString('en-US')}.`,
      { retryable: false },
    );
  }
  const pageCount = document.pageCount === undefined ? {} : { pageCount: document.pageCount };
  return { text: document.text, file: { name: file.name, contentType: file.contentType, ...pageCount } };
}
