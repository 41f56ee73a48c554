// Output helpers: JSON for scripts, aligned tables and colour (only on a TTY) for people.
import { styleText } from 'node:util';
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

export const colourEnabled = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

type Style = Parameters<typeof styleText>[0];
export function paint(style: Style, text: string): string {
  return colourEnabled() ? styleText(style, text) : text;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The help of a table command's `--wide`. */
export const WIDE_HELP = 'full-width table (on a terminal, tables are cut to its width)';

/** The width a table may take: the terminal's on a TTY; unlimited with --wide or in a pipe. */
export function tableWidth(wide?: boolean): number | undefined {
  return !wide && process.stdout.isTTY ? process.stdout.columns : undefined;
}

export interface TableOptions {
  /** Fit into this many terminal columns; undefined: as wide as the cells. */
  width?: number;
  /** Headers of columns left out, in this order, while the table is wider than `width`. */
  drop?: string[];
  /** Headers of columns never cut (ids an operator copies into the next command). */
  whole?: string[];
  /** What an empty table prints instead of a bare header (say what is missing, and why). */
  empty?: string;
}

const GAP = 2;
/** A cell cut to fit keeps at least this many columns (or its header's width, if wider). */
const MIN_CELL = 10;

/**
 * An aligned table; numbers right-aligned. Widths are what a terminal shows: colour codes take no
 * column and wide characters (CJK, most emoji) take two. With a width, the widest cells are cut
 * with an ellipsis once the `drop` columns are left out. An empty table is one line of words.
 */
export function formatTable(
  headers: string[],
  rows: (string | number)[][],
  options: TableOptions = {},
): string {
  if (rows.length === 0) return options.empty ?? 'nothing to show';
  const natural = headers.map((h, i) =>
    Math.max(stringWidth(h), ...rows.map((r) => stringWidth(String(r[i] ?? '')))),
  );
  // Columns the command can spare go first, while the rest would not fit uncut.
  let shown = headers.map((_, i) => i);
  const total = (cols: number[]) => cols.reduce((sum, i) => sum + natural[i]!, 0) + GAP * (cols.length - 1);
  for (const title of options.drop ?? []) {
    if (options.width === undefined || total(shown) <= options.width) break;
    shown = shown.filter((i) => headers[i] !== title);
  }
  // Then the widest cells are cut; if even that cannot fit, the terminal wraps what is left.
  const widths =
    options.width === undefined
      ? shown.map((i) => natural[i]!)
      : (fitWidths(natural, headers, shown, options.width, options.whole) ??
        shown.map((i) => floorOf(natural, headers, i, options.whole)));
  const numeric = shown.map((i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((cell, k) => {
        const width = widths[k]!;
        const text = stringWidth(cell) > width ? cliTruncate(cell, width) : cell;
        const pad = ' '.repeat(Math.max(0, width - stringWidth(text)));
        return numeric[k] ? pad + text : text + pad;
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const pick = (row: (string | number)[]) => shown.map((i) => String(row[i] ?? ''));
  return [
    line(pick(headers)),
    widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)),
    ...rows.map((r) => line(pick(r))),
  ].join('\n');
}

function floorOf(natural: number[], headers: string[], i: number, whole: string[] = []): number {
  if (whole.includes(headers[i]!)) return natural[i]!;
  return Math.min(natural[i]!, Math.max(MIN_CELL, stringWidth(headers[i]!)));
}

/** Widths of the shown columns within `width`, narrowing the widest first; undefined if they cannot. */
function fitWidths(
  natural: number[],
  headers: string[],
  shown: number[],
  width: number,
  whole?: string[],
): number[] | undefined {
  const widths = shown.map((i) => natural[i]!);
  const floors = shown.map((i) => floorOf(natural, headers, i, whole));
  let excess = widths.reduce((a, b) => a + b, 0) + GAP * (shown.length - 1) - width;
  while (excess > 0) {
    let widest = -1;
    for (let k = 0; k < widths.length; k++)
      if (widths[k]! > floors[k]! && (widest < 0 || widths[k]! > widths[widest]!)) widest = k;
    if (widest < 0) return undefined;
    widths[widest]!--;
    excess--;
  }
  return widths;
}

/** An instant as a table shows it: 2026-12-03 07:19:30 (UTC; the header says so). */
export function tableTime(iso: string): string {
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

/** A window bound (whole minutes): 2026-12-03 07:20. */
export function tableMinute(iso: string): string {
  return tableTime(iso).replace(/:00$/, '');
}

/** A report window: 2026-12-03 07:10 → 07:20, the day written once when both ends share it. */
export function tableWindow(window: { from: string; to: string }): string {
  const [from, to] = [tableMinute(window.from), tableMinute(window.to)];
  return from.slice(0, 10) === to.slice(0, 10) ? `${from} → ${to.slice(11)}` : `${from} → ${to}`;
}
