/**
 * Job ids are UUIDv7: their first 48 bits are the creation time in milliseconds. So "created
 * between A and B" is an id range, served by the primary key with no extra index.
 */
export function firstUuidAt(time: number): string {
  const hex = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

export function lastUuidAt(time: number): string {
  const hex = Math.max(0, Math.floor(time)).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7fff-bfff-ffffffffffff`;
}
