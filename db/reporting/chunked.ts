// Rows written from the worker go in statements of bounded size (parameter arrays of at most
// CHUNK_ROWS elements); the statements' row counts are added up.
const CHUNK_ROWS = 20_000;

export async function inChunks<T>(
  rows: readonly T[],
  write: (chunk: readonly T[]) => Promise<{ rowCount: number | null }>,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += CHUNK_ROWS)
    written += (await write(rows.slice(i, i + CHUNK_ROWS))).rowCount ?? 0;
  return written;
}
