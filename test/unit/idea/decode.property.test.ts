// Hostile input, property-based (fast-check): whatever a detector sends — arbitrary
// bytes, arbitrary JSON, valid events with arbitrary strings in their free-text fields — decoding
// never throws; it gives a valid event or a one-line reason, and a valid event keeps its strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventBytes, decodeEventValue } from '../../../domain/idea/decode';

const valid = (text: string) => ({
  Format: 'IDEA0',
  ID: 'prop-1',
  DetectTime: '2026-11-22T10:00:00Z',
  Category: ['Recon.Scanning'],
  Description: text,
  Note: text,
  Node: [{ Name: 'cz.example.sensor', SW: ['Kippo'], Note: text }],
  Source: [{ IP4: ['192.0.2.1'], Hostname: [text], Proto: ['tcp'] }],
  [`_${text}`]: { nested: [text] },
});

const outcome = (decoded: ReturnType<typeof decodeEventValue>) => {
  if (decoded.ok) return;
  expect(decoded.message.length).toBeGreaterThan(0);
  expect(decoded.message).not.toMatch(/\n/);
};

describe('IDEA decoding of hostile input (fast-check)', () => {
  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => outcome(decodeEventBytes(bytes))),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON values, deeply nested ones included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'large', maxDepth: 200 }), (value) =>
        outcome(decodeEventValue(value)),
      ),
      { numRuns: 500 },
    );
  });

  it('keeps arbitrary text exactly (U+0000 aside) or names the field it rejects', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const decoded = decodeEventValue(valid(text));
        const clean = text.replaceAll('\u0000', '');
        if (decoded.ok) {
          expect(decoded.event.Description).toBe(clean);
          expect(decoded.event.Node?.[0]?.Note).toBe(clean);
          expect(decoded.repairs.length > 0).toBe(text.includes('\u0000'));
        } else {
          // Only a lone surrogate is refused; the message names where.
          expect(text).toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
          expect(decoded.message).toMatch(
            /^[\w.[\]_ ()]+: contains a lone UTF-16 surrogate \(\\u[0-9a-f]{4}\)$/,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('takes arbitrary text in a tag field (Node.Name) when the IDEA0 tag pattern allows it, else names the field', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const event = { ...valid('x'), Node: [{ Name: text }] };
        const decoded = decodeEventValue(event);
        if (/^[a-zA-Z0-9._-]+$/.test(text)) expect(decoded.ok).toBe(true);
        else {
          expect(decoded.ok).toBe(false);
          if (!decoded.ok) expect(decoded.message).toMatch(/^Node\[0\]\.Name: /);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
