import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type InputRecord,
  jsonDocumentRecords,
  maxRecordBytes,
  ndjsonRecords,
} from '../../../db/events/read-records';

const collect = async (records: AsyncIterable<InputRecord>) => {
  const out: { line: number; text?: string; error?: string }[] = [];
  for await (const r of records)
    out.push({
      line: r.line,
      ...(r.bytes && { text: Buffer.from(r.bytes).toString() }),
      ...(r.error && { error: r.error }),
    });
  return out;
};
const stream = (...chunks: (string | Buffer)[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('NDJSON records', () => {
  it('splits lines across chunk boundaries, strips CR and skips blank lines, counting them', async () => {
    expect(await collect(ndjsonRecords(stream('{"a"', ':1}\r\n\n  \n{"b":2}', '\n{"c":3}')))).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 4, text: '{"b":2}' },
      { line: 5, text: '{"c":3}' },
    ]);
  });

  it('rejects a line longer than the limit without holding it in memory, then goes on', async () => {
    const huge = Buffer.alloc(maxRecordBytes + 10, 0x61);
    const records = await collect(
      ndjsonRecords(stream('{"a":1}\n', huge.subarray(0, 1000), huge, '\n{"b":2}\n')),
    );
    expect(records).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, error: 'line is longer than 16 MiB' },
      { line: 3, text: '{"b":2}' },
    ]);
  });
});

describe('JSON documents', () => {
  it('streams array elements, with strings holding brackets and commas', async () => {
    expect(
      await collect(jsonDocumentRecords(stream('[{"a":"x,]}"},', ' {"b":[1,', '2]} ,"s\\"t" ]  '))),
    ).toEqual([
      { line: 1, text: '{"a":"x,]}"}' },
      { line: 2, text: '{"b":[1,2]} ' },
      { line: 3, text: '"s\\"t" ' },
    ]);
  });

  it('fails for a truncated array, trailing garbage or something that is not JSON', async () => {
    await expect(collect(jsonDocumentRecords(stream('[{"a":1},')))).rejects.toThrow(
      'the file ends inside the JSON array (truncated?)',
    );
    await expect(collect(jsonDocumentRecords(stream('[{"a":1}] x')))).rejects.toThrow(
      'unexpected content after the end of the JSON array',
    );
    await expect(collect(jsonDocumentRecords(stream('hello')))).rejects.toThrow(/not a JSON array or object/);
  });
});
