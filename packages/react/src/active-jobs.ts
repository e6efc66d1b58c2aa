import { useSyncExternalStore } from 'react';

/**
 * Jobs this browser started and has not seen finish, kept in localStorage so that a reload or a
 * closed tab picks them up again (and other tabs see them at once, through the storage event).
 */
const storageKey = 'jobkit.activeJobs';
const listeners = new Set<() => void>();

function read(): string {
  try {
    return localStorage.getItem(storageKey) ?? '[]';
  } catch {
    return '[]';
  }
}

function parse(raw: string): string[] {
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function write(ids: string[]): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(ids));
  } catch {
    // Storage full or disabled (private mode): the server's job list still has them.
  }
  for (const listener of listeners) listener();
}

export function rememberActiveJob(jobId: string): void {
  const ids = parse(read()).filter((id) => id !== jobId);
  write([jobId, ...ids].slice(0, 50));
}

export function forgetActiveJob(jobId: string): void {
  const ids = parse(read());
  if (ids.includes(jobId)) write(ids.filter((id) => id !== jobId));
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === storageKey) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The ids of jobs started here that are still queued or running, newest first. */
export function useActiveJobs(): string[] {
  const raw = useSyncExternalStore(subscribe, read, () => '[]');
  return parse(raw);
}
