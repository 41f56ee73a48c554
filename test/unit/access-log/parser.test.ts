// The line parsers on well-formed and edge-case lines: every line is a hit or a parse error with a
// reason, never an exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCombinedLine } from '../../../domain/access-log/parse-combined';
import { parseCsvLine } from '../../../domain/access-log/parse-csv';
import { newParsedLine, type ParsedLine } from '../../../domain/access-log/parsed-line';
import { sectionOf } from '../../../domain/access-log/section';

function combined(line: string): ParsedLine | string {
  const out = newParsedLine();
  const outcome = parseCombinedLine(line, out);
  return outcome === 'ok' ? { ...out } : outcome;
}

function csv(line: string): ParsedLine | string {
  const out = newParsedLine();
  const outcome = parseCsvLine(line, out);
  return outcome === 'ok' ? { ...out } : outcome;
}

const T = Date.UTC(2000, 9, 10, 20, 55, 36) / 1000; // 10/Oct/2000:13:55:36 -0700

describe('section', () => {
  it.each([
    ['/pages/create', '/pages'],
    ['/pages', '/pages'],
    ['/', '/'],
    ['/index.html?x=1', '/index.html'],
    ['/a/b/c/d', '/a'],
    ['/?q=1', '/'],
    ['/search#top', '/search'],
    ['http://example.org/api/v1', '/api'],
    ['http://example.org', '/'],
    ['*', '*'],
  ])('%s -> %s', (path, section) => {
    expect(sectionOf(path)).toBe(section);
  });
});

describe('combined format', () => {
  it('parses a combined line', () => {
    expect(
      combined(
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"',
      ),
    ).toEqual({ client: '127.0.0.1', time: T, section: '/apache_pb.gif', status: 200, bytes: 2326 });
  });

  it('parses common-log lines, a leading virtual host and extra trailing fields', () => {
    expect(combined('127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a/b HTTP/1.0" 404 12')).toMatchObject({
      section: '/a',
      status: 404,
      bytes: 12,
    });
    expect(
      combined(
        'www.example.org:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x/y HTTP/1.1" 200 5 "-" "ua"',
      ),
    ).toMatchObject({ client: '10.0.0.1', section: '/x' });
    expect(
      combined(
        '10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.1" 200 5 "-" "ua" "extra" 1234 "more"',
      ),
    ).toMatchObject({ client: '10.0.0.1', section: '/x', bytes: 5 });
  });

  it('accepts IPv6 and hostname clients', () => {
    expect(combined('2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1')).toMatchObject({
      client: '2001:db8::1',
      section: '/',
    });
    expect(combined('fe80::1%eth0 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1')).toMatchObject({
      client: 'fe80::1%eth0',
    });
    expect(
      combined('crawler.example.net - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1'),
    ).toMatchObject({
      client: 'crawler.example.net',
    });
  });

  it('takes `-` bytes as 0 and counts "-" or empty requests as hits without a section', () => {
    expect(combined('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 304 -')).toMatchObject({
      bytes: 0,
    });
    expect(combined('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "-" 408 -')).toMatchObject({
      section: null,
      status: 408,
      bytes: 0,
    });
    expect(combined('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "" 400 0 "-" "-"')).toMatchObject({
      section: null,
      status: 400,
    });
    // A TLS handshake sent to a plain-HTTP port, as Apache logs it.
    expect(combined('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "\\x16\\x03\\x01" 400 226')).toMatchObject({
      section: null,
      status: 400,
    });
  });

  it('handles escaped quotes in the request and any UTC offset', () => {
    expect(combined('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /q\\"x/y HTTP/1.1" 200 1')).toMatchObject({
      section: '/q\\"x',
    });
    expect(combined('1.2.3.4 - - [10/Oct/2000:20:55:36 +0000] "GET / HTTP/1.1" 200 1')).toMatchObject({
      time: T,
    });
    expect(combined('1.2.3.4 - - [11/Oct/2000:02:25:36 +0530] "GET / HTTP/1.1" 200 1')).toMatchObject({
      time: T,
    });
  });

  it.each([
    ['', 'empty line'],
    ['garbage', 'missing [timestamp]'],
    ['1.2.3.4 - - [10/Foo/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1', 'bad timestamp'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -07] "GET / HTTP/1.1" 200 1', 'bad timestamp'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / 200 1', 'missing "request"'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" OK 1', 'bad status'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12k', 'bad bytes'],
    ['1.2.3.4 - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1', 'bad client field'],
    ['<script> - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1', 'bad client field'],
    ['1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1', 'missing "request"'],
  ])('rejects %j (%s)', (line, reason) => {
    expect(combined(line)).toBe(reason);
  });

  it('never throws on arbitrary input, binary garbage included', () => {
    const out = newParsedLine();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const outcome = parseCombinedLine(text, out);
        expect(typeof outcome).toBe('string');
      }),
      { numRuns: 2000 },
    );
    // Mutations of a valid line exercise the deeper branches.
    const valid = '2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] "GET /a/b HTTP/1.1" 200 5 "-" "ua"';
    fc.assert(
      fc.property(
        fc.nat(valid.length - 1),
        fc.nat(valid.length),
        fc.string({ unit: 'binary', maxLength: 5 }),
        (at, cut, insert) => {
          const text = valid.slice(0, at) + insert + valid.slice(Math.max(at, cut));
          const outcome = parseCombinedLine(text, out);
          if (outcome === 'ok') expect(Number.isFinite(out.time)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('csv format', () => {
  it('skips the header and parses quoted and unquoted fields', () => {
    expect(csv('"remotehost","rfc931","authuser","date","request","status","bytes"')).toBe('skip');
    expect(csv('"10.0.0.2","-","apache",1549573860,"GET /api/user HTTP/1.0",200,1234')).toEqual({
      client: '10.0.0.2',
      time: 1549573860,
      section: '/api',
      status: 200,
      bytes: 1234,
    });
    expect(csv('10.0.0.2,-,apache,1549573860,"POST /report HTTP/1.0",503,-')).toMatchObject({
      section: '/report',
      status: 503,
      bytes: 0,
    });
    expect(csv('"::1","-","-",1549573860,"GET /a ""b"" HTTP/1.0",200,1')).toMatchObject({
      client: '::1',
      section: '/a',
    });
  });

  it.each([
    ['"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0",200', 'wrong number of fields'],
    ['"10.0.0.2","-","apache",yesterday,"GET / HTTP/1.0",200,1', 'bad timestamp'],
    ['"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0",2000,1', 'bad status'],
    ['"10.0.0.2","-","apache",1549573860,"GET / HTTP/1.0,200,1', 'wrong number of fields'],
  ])('rejects %j (%s)', (line, reason) => {
    expect(csv(line)).toBe(reason);
  });

  it('never throws on arbitrary input', () => {
    const out = newParsedLine();
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        expect(typeof parseCsvLine(text, out)).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});
