// The tailer's byte parser against the string parser: whenever it takes a line, it reads what
// parseCombinedLine reads from that line; the lines it declines go to the string parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCombinedLine } from '../../../domain/access-log/parse-combined';
import { newLineFields, parseCombinedBytes } from '../../../domain/access-log/parse-combined-bytes';
import { newParsedLine, type ParsedLine } from '../../../domain/access-log/parsed-line';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';

const START = Date.parse('2026-01-15T10:00:00Z') / 1000;

/** The byte parser's reading of `line` (as UTF-8), or null when it declines it. */
function fromBytes(line: string): ParsedLine | null {
  // Other lines around it in the buffer: the parser must stay within [from, to).
  const bytes = Buffer.from(`x"] 1\n${line}\n"[ 9`, 'utf8');
  const from = 6;
  const to = bytes.length - 5;
  const fields = newLineFields();
  if (!parseCombinedBytes(bytes, from, to, fields)) return null;
  return {
    client: bytes.toString('latin1', fields.clientFrom, fields.clientTo),
    time: fields.time,
    section: fields.sectionFrom < 0 ? null : bytes.toString('latin1', fields.sectionFrom, fields.sectionTo),
    status: fields.status,
    bytes: fields.bytes,
  };
}

function fromText(line: string): ParsedLine | string {
  const out = newParsedLine();
  const text = Buffer.from(line, 'utf8').toString('utf8');
  const outcome = parseCombinedLine(text, out);
  return outcome === 'ok' ? { ...out } : outcome;
}

/** When the byte parser takes the line, the string parser reads the same from it. */
function agrees(line: string): boolean {
  const bytes = fromBytes(line);
  if (bytes !== null) expect(fromText(line), line).toEqual(bytes);
  return bytes !== null;
}

const VALID = [
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"',
  'www.example.org:443 10.0.0.1 - - [10/Oct/2000:13:55:36 +0130] "POST /x/y?q=1 HTTP/1.1" 503 - "-" "ua"',
  '2001:db8::1 - - [29/Feb/2024:23:59:60 +0000] "GET /a#frag HTTP/2" 101 0',
  'host-name.example - - [01/jan/1999:00:00:00 -1200] "-" 400 15',
];

describe('byte parser', () => {
  it('takes the usual lines and reads them as the string parser does', () => {
    for (const line of VALID) expect(agrees(line), line).toBe(true);
    const demo = generateAccessLog({ start: START, seed: 5 }).lines;
    expect(demo.filter((line) => agrees(line)).length).toBe(demo.length);
  });

  it('declines what the string parser must judge: absolute and odd targets, escapes, non-ASCII requests, other shapes', () => {
    for (const line of [
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET http://example.org/api/v1 HTTP/1.1" 200 1',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "OPTIONS * HTTP/1.1" 200 1',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a\\"b HTTP/1.1" 200 1',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /caf\u00e9 HTTP/1.1" 200 1',
      '1.2.3.4 - - [10/Oct/2000:13:55:36] "GET / HTTP/1.1" 200 1',
      '1.2.3.4 - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1',
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200',
      '',
    ]) {
      expect(fromBytes(line), line).toBeNull();
      agrees(line);
    }
    // Bad lines are declined, and the string parser names the error.
    expect(fromText('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12k')).toBe('bad bytes');
    expect(fromBytes('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12k')).toBeNull();
  });

  it('reads a timestamp that differs from the cached minute in any one character as the string parser does', () => {
    const valid = VALID[0]!;
    const stamp = valid.indexOf('[') + 1;
    for (let i = stamp; i < stamp + 26; i++)
      for (const c of ['0', '1', '5', '9', 'a', 'J', ' ', '+', '-', ':', '/', ']']) {
        expect(agrees(valid)).toBe(true); // the valid line's minute is cached
        agrees(valid.slice(0, i) + c + valid.slice(i + 1));
      }
  });

  it('agrees with the string parser on mutated lines', () => {
    const pieces = [
      ' ',
      '"',
      '\\',
      '[',
      ']',
      '/',
      '?',
      '#',
      '-',
      ':',
      '0',
      '9',
      '\u00e9',
      '\u0000',
      '\r',
      'x',
      '+',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID),
        fc.array(fc.tuple(fc.nat(200), fc.nat(3), fc.constantFrom(...pieces)), {
          minLength: 1,
          maxLength: 3,
        }),
        (valid, edits) => {
          let line = valid;
          for (const [at, cut, insert] of edits) {
            const i = at % (line.length + 1);
            line = line.slice(0, i) + insert + line.slice(i + cut);
          }
          agrees(line);
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
