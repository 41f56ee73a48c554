import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../config/paths';
import { decodeEventBytes, decodeEventText } from '../../../domain/idea/decode';
import { readMentatMeta } from '../../../domain/idea/mentat-meta';
import { ideaTimestampToIso, isRfc3339, parseIdeaEvent } from '../../../domain/idea/schema';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'idea');
const canonical = readdirSync(path.join(fixtures, 'canonical')).filter((f) => f.endsWith('.json'));

describe('IDEA0 schema', () => {
  it.each(canonical)('accepts the canonical example %s', (file) => {
    const value = JSON.parse(readFileSync(path.join(fixtures, 'canonical', file), 'utf8'));
    const result = parseIdeaEvent(value);
    expect(result.ok ? 'ok' : result.message).toBe('ok');
  });

  it('rejects each malformed line with the field and the reason', () => {
    const lines = readFileSync(path.join(fixtures, 'malformed.ndjson'), 'utf8').trim().split('\n');
    const messages = lines.map((line) => {
      const decoded = decodeEventText(line);
      return decoded.ok ? 'accepted' : decoded.message;
    });
    expect(messages).toEqual([
      'DetectTime: "22.03.2014 10:12:31" is not an RFC 3339 timestamp (expected e.g. 2024-05-01T12:00:00Z)',
      'Category[0]: "port scan" is not an IDEA tag (letters, digits, ".", "-" and "_" only)',
      'ID: is required',
      'Format: "IDEA1" is not "IDEA0"',
      'Source[0].IP4[0]: "300.1.2.3" is not an IPv4 address, network or range',
      expect.stringMatching(/^not valid JSON: /),
      'Category: must list at least one category',
      'not a JSON object',
      'Target[0].Port[0]: 70000 is more than 65535',
    ]);
    for (const message of messages) expect(message).not.toMatch(/undefined/);
  });

  it('keeps unknown and private keys as they come; _Mentat is free-form, read leniently', () => {
    const result = parseIdeaEvent({
      Format: 'IDEA0',
      ID: 'x1',
      DetectTime: '2024-01-01T00:00:00Z',
      Category: ['Other'],
      _Custom: { a: 1 },
      _Mentat: { EventSeverity: 'HIGH', StorageTime: 1395483151, EventClass: ['not', 'a', 'string'] },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event._Custom).toEqual({ a: 1 });
    expect(readMentatMeta(result.event)).toEqual({ EventSeverity: 'high' });
  });

  it('accepts what the schema accepts: any tag as category, a space or no offset in times', () => {
    for (const [field, value] of [
      ['Category', ['Malware']],
      ['Category', ['Suspicious.Miner', 'Availibility.DDoS']],
      ['DetectTime', '2014-03-22 10:12:31'],
      ['DetectTime', '2014-03-22t10:12:31.5+02:00'],
    ] as const) {
      const result = parseIdeaEvent({
        Format: 'IDEA0',
        ID: 'ok-1',
        DetectTime: '2024-01-01T00:00:00Z',
        Category: ['Other'],
        [field]: value,
      });
      expect(result.ok ? 'ok' : result.message, `${field} ${JSON.stringify(value)}`).toBe('ok');
    }
  });

  it('rejects what the schema refuses and what names no point in time, never saying undefined', () => {
    const base = { Format: 'IDEA0', ID: 'bad-1', DetectTime: '2024-01-01T00:00:00Z', Category: ['Other'] };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...base, Format: undefined }, 'Format: is required'],
      [
        { ...base, ID: 'has space' },
        'ID: "has space" is not an IDEA ID (letters, digits, ".", "-" and "_" only)',
      ],
      [
        { ...base, DetectTime: '2024-13-01T00:00:00Z' },
        'DetectTime: "2024-13-01T00:00:00Z" is not a valid date and time',
      ],
      [{ ...base, Category: 'Other' }, 'Category: expected array, got "Other"'],
      [{ ...base, ConnCount: 1.5 }, 'ConnCount: expected integer, got 1.5'],
      [{ ...base, Confidence: 2 }, 'Confidence: 2 is more than 1'],
      [
        { ...base, Node: [{ Name: 'a b' }] },
        'Node[0].Name: "a b" is not an IDEA tag (letters, digits, ".", "-" and "_" only)',
      ],
      [
        { ...base, Source: [{ IP6: ['10.0.0.1'] }] },
        'Source[0].IP6[0]: "10.0.0.1" is not an IPv6 address, network or range',
      ],
      [{ ...base, Attach: [{ ContentEncoding: 'hex' }] }, 'Attach[0].ContentEncoding: "hex" is not "base64"'],
    ];
    for (const [value, message] of cases) {
      const result = parseIdeaEvent(JSON.parse(JSON.stringify(value)));
      expect(result.ok ? 'accepted' : result.message).toBe(message);
    }
  });

  it('knows RFC 3339 from look-alikes', () => {
    expect(isRfc3339('2014-03-22T10:12:31Z')).toBe(true);
    expect(isRfc3339('2014-03-22t10:12:31.123456+02:00')).toBe(true);
    expect(isRfc3339('2014-03-22 10:12:31Z')).toBe(false); // the CLI's options stay strict
    expect(isRfc3339('2014-03-22T10:12:31')).toBe(false);
    expect(isRfc3339('2014-13-22T10:12:31Z')).toBe(false);
    expect(isRfc3339('1395483151')).toBe(false);
  });

  it('reads UTC times, days past the 28th, leap seconds and offsets', () => {
    expect(ideaTimestampToIso('2024-02-29T10:00:00Z')).toBe('2024-02-29T10:00:00Z');
    expect(ideaTimestampToIso('2026-01-31t10:00:00.123456789z')).toBe('2026-01-31T10:00:00.123456789Z');
    expect(ideaTimestampToIso('2026-01-32T10:00:00Z')).toBeNull();
    expect(ideaTimestampToIso('2026-04-28 23:59:60.5')).toBe('2026-04-28T23:59:60.5Z');
    expect(ideaTimestampToIso('2026-04-28T24:00:00Z')).toBeNull();
    expect(ideaTimestampToIso('2026-04-28T10:00:00+23:59')).toBe('2026-04-28T10:00:00+23:59');
    expect(ideaTimestampToIso('2026-04-28T10:00:00+24:00')).toBeNull();
  });
});

describe('decoding input records', () => {
  it('strips U+0000 from strings and keys and records where', () => {
    const line = readFileSync(path.join(fixtures, 'with-nul.ndjson'), 'utf8').trim();
    const decoded = decodeEventText(line);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.event.Description).toBe('scanner');
    expect(decoded.event.Source?.[0]?.Hostname).toEqual(['host.example']);
    expect(decoded.repairs).toEqual(['Description', 'Source[0].Hostname[0]']);
  });

  it('rejects invalid UTF-8 with a reason instead of replacing characters', () => {
    const good = Buffer.from(
      '{"Format":"IDEA0","ID":"u1","DetectTime":"2024-01-01T00:00:00Z","Category":["Other"],"Description":"',
    );
    const bytes = Buffer.concat([good, Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(decodeEventBytes(bytes)).toEqual({ ok: false, message: 'not valid UTF-8' });
    expect(
      decodeEventBytes(
        Buffer.from(
          '{"Format":"IDEA0","ID":"u2","DetectTime":"2024-01-01T00:00:00Z","Category":["Other"],"Description":"Příliš žluťoučký"}',
        ),
      ).ok,
    ).toBe(true);
  });
});
