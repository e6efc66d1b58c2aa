import type { StoredFile } from '@jobkit/jobs';
import { useCallback, useRef, useState } from 'react';

/** Why an upload failed, as the server said it (or as the browser saw it). */
export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function isStoredFile(value: unknown): value is StoredFile {
  return (
    typeof value === 'object' &&
    value !== null &&
    'fileId' in value &&
    typeof value.fileId === 'string' &&
    'name' in value &&
    typeof value.name === 'string' &&
    'size' in value &&
    typeof value.size === 'number' &&
    'contentType' in value &&
    typeof value.contentType === 'string'
  );
}

function serverMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  return typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string' ? error.message : undefined;
}

/**
 * Sends one file to `POST /files` (same origin, session cookie). XMLHttpRequest rather than fetch:
 * only it reports upload progress, which a 100 MB file needs.
 */
export function uploadFile(file: File, options: { onProgress?: (fraction: number) => void; signal?: AbortSignal } = {}): Promise<StoredFile> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/files');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    request.onload = () => {
      const body: unknown = request.response;
      if (request.status === 201 && isStoredFile(body)) resolve(body);
      else reject(new UploadError(serverMessage(body) ?? `The upload failed (HTTP ${request.status}).`, request.status));
    };
    request.onerror = () => {
      reject(new UploadError('The upload broke off: check the connection and try again.', 0));
    };
    request.onabort = () => {
      reject(new UploadError('The upload was cancelled.', 0));
    };
    options.signal?.addEventListener('abort', () => {
      request.abort();
    });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

export type UploadState =
  | { status: 'idle' }
  | { status: 'uploading'; name: string; fraction: number }
  | { status: 'done'; file: StoredFile }
  | { status: 'failed'; message: string };

/**
 * One file input's upload: checks the size against the server's limit before sending anything,
 * shows progress, and replaces (cancelling) an upload still running when another file is chosen.
 */
export function useUpload(maxBytes: number | undefined) {
  const [state, setState] = useState<UploadState>({ status: 'idle' });
  const running = useRef<AbortController | null>(null);

  const upload = useCallback(
    (file: File) => {
      running.current?.abort();
      if (maxBytes !== undefined && file.size > maxBytes) {
        setState({ status: 'failed', message: `${file.name} is larger than the ${Math.round(maxBytes / 1048576)} MB upload limit.` });
        return;
      }
      const controller = new AbortController();
      running.current = controller;
      setState({ status: 'uploading', name: file.name, fraction: 0 });
      uploadFile(file, {
        signal: controller.signal,
        onProgress: (fraction) => {
          setState({ status: 'uploading', name: file.name, fraction });
        },
      }).then(
        (stored) => {
          if (running.current === controller) setState({ status: 'done', file: stored });
        },
        (error: unknown) => {
          if (running.current === controller) setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
        },
      );
    },
    [maxBytes],
  );

  const reset = useCallback(() => {
    running.current?.abort();
    running.current = null;
    setState({ status: 'idle' });
  }, []);

  return { state, upload, reset };
}
