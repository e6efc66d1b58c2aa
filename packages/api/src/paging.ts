/**
 * Keyset paging on the time-ordered id: queries fetch `limit + 1` rows, newest first; the extra
 * row only says whether there is a next page, which starts below the last id shown.
 */
export function keysetPage<Row extends { id: string }>(rows: Row[], limit: number): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { page, nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
}
