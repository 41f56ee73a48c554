// Input records for ingest: NDJSON streamed line by line as raw bytes (so invalid UTF-8 is
// detected per line, and memory stays bounded), or a JSON document (one event or an array).
import type { Readable } from 'node:stream';
import { escapeControl } from '../../domain/idea/sanitize';

export interface InputRecord {
  /** 1-based line (NDJSON) or array position (JSON). */
  line: number;
  bytes?: Uint8Array;
  value?: unknown;
  /** The record could not even be read (e.g. too long); it is rejected with this reason. */
  error?: string;
}

/** Longer records are rejected unread, so a file without line breaks cannot exhaust memory. */
export const maxRecordBytes = 16 * 2 ** 20;

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
  let skipping = false; // inside a line longer than maxRecordBytes: drop bytes until its end
  const tooLong = (): InputRecord => ({
    line: ++line,
    error: `line is longer than ${maxRecordBytes / 2 ** 20} MiB`,
  });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (progress) progress.bytesRead += chunk.length;
    let start = 0;
    let data = chunk;
    if (skipping) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) continue;
      yield tooLong();
      skipping = false;
      start = nl + 1;
    } else if (carry) {
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
    if (data.length - start > maxRecordBytes) skipping = true;
    else if (start < data.length) carry = Buffer.from(data.subarray(start));
  }
  if (skipping) yield tooLong();
  if (carry) {
    const record = emit(carry);
    if (record) yield record;
  }
}

export class InputFormatError extends Error {
  override name = 'InputFormatError';
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const isSpace = (byte: number) => byte === 0x20 || byte === 0x09 || byte === NL || byte === CR;

/**
 * A JSON document: an array of events, streamed element by element (raw bytes, so each element
 * is decoded and validated on its own and memory stays bounded), or a single event object.
 * `line` is the element's position in the array (1-based). A document whose structure is broken
 * (truncated, not an array or object) is an InputFormatError: nothing of it can be trusted.
 */
export async function* jsonDocumentRecords(
  stream: Readable,
  progress?: ReadProgress,
): AsyncGenerator<InputRecord> {
  let mode: 'start' | 'array' | 'object' | 'done' = 'start';
  let depth = 0; // nesting inside the current element
  let inString = false;
  let escaped = false;
  let pieces: Buffer[] = []; // the current element, across chunks
  let started = false;
  let pieceBytes = 0;
  let index = 0;
  const single: Buffer[] = [];
  let singleBytes = 0;

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (progress) progress.bytesRead += chunk.length;
    let i = 0;
    if (mode === 'start') {
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) continue;
      if (chunk[i] === OPEN_BRACKET) {
        mode = 'array';
        i++;
      } else if (chunk[i] === OPEN_BRACE) mode = 'object';
      else
        throw new InputFormatError(
          'the file is not a JSON array or object; for one event per line use --format ndjson',
        );
    }
    if (mode === 'object') {
      single.push(chunk.subarray(i));
      singleBytes += chunk.length - i;
      if (singleBytes > maxRecordBytes)
        throw new InputFormatError(`the JSON object is larger than ${maxRecordBytes / 2 ** 20} MiB`);
      continue;
    }
    let pieceStart = started ? i : -1;
    for (; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (mode === 'done') {
        if (!isSpace(byte)) throw new InputFormatError('unexpected content after the end of the JSON array');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
        continue;
      }
      if (depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
        if (started) {
          pieces.push(chunk.subarray(pieceStart, i));
          yield { line: ++index, bytes: Buffer.concat(pieces) };
        } else if (byte === COMMA) {
          throw new InputFormatError(`empty element at position ${index + 1} of the JSON array`);
        }
        pieces = [];
        pieceBytes = 0;
        started = false;
        pieceStart = -1;
        if (byte === CLOSE_BRACKET) mode = 'done';
        continue;
      }
      if (!started) {
        if (isSpace(byte)) continue;
        started = true;
        pieceStart = i;
      }
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
    }
    if (started) {
      pieces.push(chunk.subarray(pieceStart));
      pieceBytes += chunk.length - pieceStart;
      if (pieceBytes > maxRecordBytes)
        throw new InputFormatError(
          `element ${index + 1} of the JSON array is larger than ${maxRecordBytes / 2 ** 20} MiB`,
        );
    }
  }
  if (mode === 'object') {
    const bytes = Buffer.concat(single);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InputFormatError('the file is not valid UTF-8');
    }
    try {
      JSON.parse(text);
    } catch (error) {
      throw new InputFormatError(
        `the file is not valid JSON (${escapeControl((error as Error).message)}); for one event per line use --format ndjson`,
      );
    }
    // As bytes, like every other record: decoded (and, if need be, rejected) by the ingest.
    yield { line: 1, bytes };
    return;
  }
  if (mode === 'array') throw new InputFormatError('the file ends inside the JSON array (truncated?)');
}
