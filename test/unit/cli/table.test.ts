// Tables as a terminal shows them: columns line up by visible width with colour on and with wide
// characters; cut to a width with an ellipsis (columns dropped when cutting is not enough); full
// width with --wide and in pipes.
import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatTable, paint, tableWidth } from '../../../client/output';

const tty = { isTTY: process.stdout.isTTY, columns: process.stdout.columns, noColor: process.env.NO_COLOR };

function terminal(columns: number | undefined, isTTY: boolean) {
  Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true });
  Object.defineProperty(process.stdout, 'columns', { value: columns, configurable: true });
}

beforeEach(() => {
  // Colour on, as on a terminal.
  terminal(200, true);
  delete process.env.NO_COLOR;
});
afterEach(() => {
  terminal(tty.columns, tty.isTTY === true);
  if (tty.noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = tty.noColor;
});

/** Visible start column of each cell: where a run of two spaces ends, as a reader sees columns. */
function columnStarts(line: string): number[] {
  const plain = stripVTControlCharacters(line);
  const starts = [0];
  let x = 0;
  for (let i = 0; i < plain.length; ) {
    const ch = String.fromCodePoint(plain.codePointAt(i)!);
    if (plain.startsWith('  ', i)) {
      let j = i;
      while (plain[j] === ' ') j++;
      x += j - i;
      i = j;
      starts.push(x);
      continue;
    }
    x += stringWidth(ch);
    i += ch.length;
  }
  return starts;
}

describe('formatTable', () => {
  it('lines up header and rows by what the terminal shows, with colour on and wide characters', () => {
    const status = paint('green', 'completed');
    expect(status).not.toBe('completed'); // colour really is on
    const table = formatTable(
      ['workflow', 'status', 'group', 'new'],
      [
        ['report:acme:1', status, 'acme', 3],
        ['report:czech:22', paint('red', 'failed'), '漢字グループ', 12],
        ['report:x', paint('cyan', 'running'), 'x', 7],
      ],
    );
    const lines = table.split('\n');
    const header = columnStarts(lines[0]!);
    expect(header).toHaveLength(4);
    // Text columns start where their header starts; the numbers (right-aligned) end where it ends.
    for (const line of lines.slice(2)) expect(columnStarts(line).slice(0, 3)).toEqual(header.slice(0, 3));
    const ends = lines.map((l) => stringWidth(l));
    expect(new Set([ends[0], ...ends.slice(2)]).size).toBe(1);
  });

  it('cuts the widest cells with an ellipsis to fit a width; full width without one', () => {
    const rows = [
      [
        '2026-12-03T07:19:30.000Z',
        'report:acme:high:2026-12-03T07:10:00.000Z',
        'completed',
        'soc@acme.test, noc@acme.test',
      ],
      ['2026-12-03T07:09:30.000Z', 'report:b:low:2026-12-03T07:00:00.000Z', 'failed', '-'],
    ];
    const headers = ['started (UTC)', 'workflow', 'status', 'to'];
    const full = formatTable(headers, rows).split('\n');
    expect(Math.max(...full.map((l) => stringWidth(l)))).toBeGreaterThan(100);
    expect(full.join('\n')).not.toContain('…');
    const cut = formatTable(headers, rows, { width: 80 }).split('\n');
    for (const line of cut) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(cut[2]).toContain('…');
    expect(cut[2]).toContain('completed');
    for (const line of cut.slice(2)) expect(columnStarts(line)).toEqual(columnStarts(cut[0]!));
    // An id to copy into the next command stays whole; the others give way.
    const keep = formatTable(headers, rows, { width: 80, whole: ['workflow'] }).split('\n');
    expect(keep[2]).toContain('report:acme:high:2026-12-03T07:10:00.000Z');
    for (const line of keep) expect(stringWidth(line)).toBeLessThanOrEqual(80);
  });

  it('leaves out the columns it may drop when cutting cells is not enough', () => {
    const rows = [['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb', 'cccccccccccccccccccc']];
    const cut = formatTable(['first', 'second', 'third'], rows, { width: 30, drop: ['second'] }).split('\n');
    expect(cut[0]).toBe(`${'first'.padEnd(14)}  third`);
    for (const line of cut) expect(stringWidth(line)).toBeLessThanOrEqual(30);
  });

  it('says an empty table in words instead of printing a bare header', () => {
    expect(formatTable(['group', 'state'], [], { empty: 'no schedules' })).toBe('no schedules');
    expect(formatTable(['group', 'state'], [])).toBe('nothing to show');
  });

  it('takes the terminal width on a TTY, and no limit with --wide or in a pipe', () => {
    terminal(100, true);
    expect(tableWidth()).toBe(100);
    expect(tableWidth(true)).toBeUndefined();
    terminal(undefined, false);
    expect(tableWidth()).toBeUndefined();
  });
});
