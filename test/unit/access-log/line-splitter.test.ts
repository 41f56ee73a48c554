// Line splitting with offsets across chunk borders, CRLF, and the line-length cap.
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../client/monitor/line-splitter';

function split(chunks: Buffer[], max = 100, finish = false) {
  const lines: [string | null, number, number][] = [];
  const splitter = new LineSplitter(0, max);
  let offset = 0;
  for (const chunk of chunks) {
    splitter.push(chunk, offset, (text, start, end) => lines.push([text, start, end]));
    offset += chunk.length;
  }
  if (finish) splitter.finish(offset, (text, start, end) => lines.push([text, start, end]));
  return lines;
}

describe('LineSplitter', () => {
  it('reports lines with byte offsets across chunk borders and drops CR before LF', () => {
    expect(split([Buffer.from('ab\r\ncd'), Buffer.from('e\n\nf')])).toEqual([
      ['ab', 0, 4],
      ['cde', 4, 8],
      ['', 8, 9],
    ]);
  });

  it('keeps a last line without newline until finish', () => {
    expect(split([Buffer.from('a\nbc')], 100, true)).toEqual([
      ['a', 0, 2],
      ['bc', 2, 4],
    ]);
  });

  it('reports over-long lines without decoding them, in one chunk or many', () => {
    const long = Buffer.alloc(1024 * 1024, 0x41);
    const data = Buffer.concat([Buffer.from('x\n'), long, Buffer.from('\ny\n')]);
    const expected = [
      ['x', 0, 2],
      [null, 2, 2 + long.length + 1],
      ['y', long.length + 3, long.length + 5],
    ];
    expect(split([data], 64 * 1024)).toEqual(expected);
    const pieces = [];
    for (let i = 0; i < data.length; i += 4096) pieces.push(data.subarray(i, i + 4096));
    expect(split(pieces, 64 * 1024)).toEqual(expected);
  });

  it('decodes invalid UTF-8 with replacement characters', () => {
    expect(split([Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a])])).toEqual([['\ufffd\ufffd\u0000A', 0, 5]]);
  });
});
