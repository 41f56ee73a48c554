// Many rows from the worker into one table with COPY (text format). For the ≈1M report events of
// a 1M-event cycle it took under half the time of INSERT … SELECT FROM unnest, in PostgreSQL and
// in the worker. COPY has no ON CONFLICT: callers write only rows the table cannot hold
// yet (e.g. the events of a report inserted in the same transaction).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

export type CopyField = string | number | boolean;

/** Rows per piece of COPY data handed to the socket (bounds the text built at once). */
const ROWS_PER_PIECE = 20_000;

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: backslash, newline, carriage return and tab escaped. */
export function copyText(value: CopyField): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPES[c]!) : value;
}

/** An array literal of PostgreSQL's text input (text[], inet[], timestamptz[]), every element quoted. */
export function arrayLiteral(values: readonly string[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) text += ',';
    text += `"${v.includes('"') || v.includes('\\') ? v.replace(/["\\]/g, '\\$&') : v}"`;
  }
  return `${text}}`;
}

function* pieces<T>(rows: readonly T[], fields: (row: T) => readonly CopyField[]): Generator<string> {
  for (let i = 0; i < rows.length; i += ROWS_PER_PIECE) {
    let text = '';
    const end = Math.min(rows.length, i + ROWS_PER_PIECE);
    for (let r = i; r < end; r++) text += `${fields(rows[r]!).map(copyText).join('\t')}\n`;
    yield text;
  }
}

/** Writes `rows` into `table (columns)`; returns the number of rows PostgreSQL stored. */
export async function copyRows<T>(
  client: pg.PoolClient,
  target: { table: string; columns: readonly string[] },
  rows: readonly T[],
  fields: (row: T) => readonly CopyField[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const copy = client.query(copyFrom(`COPY ${target.table} (${target.columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(pieces(rows, fields)), copy);
  return copy.rowCount;
}
