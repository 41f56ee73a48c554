// Input records for ingest: NDJSON streamed line by line as raw bytes (so invalid UTF-8 is
// detected per line, and memory stays bounded), or a JSON document (one event or an array).
import type { Readable } from 'node:stream';

export interface InputRecord {
  /** 1-based line (NDJSON) or array position (JSON). */
  line: number;
  bytes?: Uint8Array;
  value?: unknown;
}

export interface ReadProgress {
  bytesRead: number;
}

const NL = 0x0a;
const CR = 0x0d;

/** Splits a byte stream into lines without decoding; blank lines are skipped. */
export async function* ndjsonRecords(stream: Readable, progress?: ReadProgress): AsyncGenerator<InputRecord> {
  let carry: Buffer | null = null;
  let line = 0;
  const emit = (slice: Buffer): InputRecord | null => {
    line++;
    let end = slice.length;
    if (end > 0 && slice[end - 1] === CR) end--;
    const bytes = slice.subarray(0, end);
    for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09) return { line, bytes };
    return null;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (progress) progress.bytesRead += chunk.length;
    let start = 0;
    let data = chunk;
    if (carry) {
      data = Buffer.concat([carry, chunk]);
      carry = null;
    }
    for (;;) {
      const nl = data.indexOf(NL, start);
      if (nl < 0) break;
      const record = emit(data.subarray(start, nl));
      if (record) yield record;
      start = nl + 1;
    }
    if (start < data.length) carry = Buffer.from(data.subarray(start));
  }
  if (carry) {
    const record = emit(carry);
    if (record) yield record;
  }
}

export class InputFormatError extends Error {
  override name = 'InputFormatError';
}

/** A whole JSON document: an array of events or one event. */
export async function* jsonDocumentRecords(
  stream: Readable,
  progress?: ReadProgress,
): AsyncGenerator<InputRecord> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (progress) progress.bytesRead += chunk.length;
    chunks.push(chunk);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new InputFormatError('the file is not valid UTF-8');
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(`the file is not valid JSON (${(error as Error).message}); for one event per line use --format ndjson`);
  }
  const values = Array.isArray(document) ? document : [document];
  for (let i = 0; i < values.length; i++) yield { line: i + 1, value: values[i] };
}
