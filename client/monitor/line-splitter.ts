// Splits file chunks into lines with their byte offsets. Lines longer than `maxLineBytes` are
// never decoded or buffered: they are reported as too long (with their first bytes as excerpt).
// `pushBytes` hands over each line as a span of bytes (the access-log tailer parses those bytes);
// `push` as text.
import { isAscii } from 'node:buffer';

/**
 * A line as `bytes[from, to)` (without its newline and a CR before it); `bytes` is the chunk (valid
 * only during the call) or, for a line that spans chunks, its own buffer. `bytes` is null for a
 * line over the cap, and `excerpt` is then its first bytes. [start, end) are its file offsets.
 */
export type ByteLineSink = (
  bytes: Buffer | null,
  from: number,
  to: number,
  start: number,
  end: number,
  excerpt: string,
) => void;

/** `text` is null for a line over the cap; `excerpt` is then its first bytes. */
export type LineSink = (text: string | null, start: number, end: number, excerpt: string) => void;

const EXCERPT_BYTES = 200;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private tooLong = false;
  private excerpt = '';
  /** File offset where the current (incomplete) line starts. */
  lineStart: number;

  constructor(
    start: number,
    private readonly maxLineBytes: number,
  ) {
    this.lineStart = start;
  }

  get pendingBytes(): number {
    return this.partBytes;
  }

  /**
   * `chunk` (which the caller may reuse afterwards) holds the file's bytes from `offset`. Stops
   * after the line at which `pause()` returns true; returns how many bytes it consumed.
   */
  pushBytes(chunk: Buffer, offset: number, sink: ByteLineSink, pause?: () => boolean): number {
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (nl < 0 || this.parts.length > 0 || this.tooLong || end - pos > this.maxLineBytes) {
        this.append(chunk, pos, end);
      }
      if (nl < 0) break;
      if (this.tooLong) sink(null, 0, 0, this.lineStart, offset + nl + 1, this.excerpt);
      else if (this.parts.length === 0)
        sink(chunk, pos, withoutCr(chunk, pos, end), this.lineStart, offset + nl + 1, this.excerpt);
      else {
        const whole = Buffer.concat(this.parts, this.partBytes);
        sink(whole, 0, withoutCr(whole, 0, whole.length), this.lineStart, offset + nl + 1, this.excerpt);
      }
      this.reset(offset + nl + 1);
      pos = nl + 1;
      if (pause?.()) return pos;
    }
    return chunk.length;
  }

  /** `pushBytes` with each line decoded as UTF-8. */
  push(chunk: Buffer, offset: number, sink: LineSink, pause?: () => boolean): number {
    // An all-ASCII chunk (the usual log) is decoded once; its lines are slices of that string, which
    // V8 makes without copying. UTF-8 and ASCII agree there, so the text is the same either way.
    const whole = isAscii(chunk) ? chunk.toString('latin1') : null;
    return this.pushBytes(
      chunk,
      offset,
      (bytes, from, to, start, end, excerpt) =>
        sink(
          bytes === null
            ? null
            : bytes === chunk && whole !== null
              ? whole.slice(from, to)
              : bytes.toString('utf8', from, to),
          start,
          end,
          excerpt,
        ),
      pause,
    );
  }

  /** End of input (--until-eof): a last line without a newline is still a line. */
  finishBytes(end: number, sink: ByteLineSink): void {
    if (this.partBytes === 0 && !this.tooLong) return;
    if (this.tooLong) sink(null, 0, 0, this.lineStart, end, this.excerpt);
    else {
      const whole = Buffer.concat(this.parts, this.partBytes);
      sink(whole, 0, withoutCr(whole, 0, whole.length), this.lineStart, end, this.excerpt);
    }
    this.reset(end);
  }

  finish(end: number, sink: LineSink): void {
    this.finishBytes(end, (bytes, from, to, start, lineEnd, excerpt) =>
      sink(bytes === null ? null : bytes.toString('utf8', from, to), start, lineEnd, excerpt),
    );
  }

  /** Forgets the partial line and restarts at `offset` (resync, truncation). */
  reset(offset: number): void {
    this.parts = [];
    this.partBytes = 0;
    this.tooLong = false;
    this.excerpt = '';
    this.lineStart = offset;
  }

  private append(chunk: Buffer, from: number, to: number): void {
    if (this.tooLong || from === to) return;
    if (this.partBytes + (to - from) > this.maxLineBytes) {
      const head = this.parts.length > 0 ? Buffer.concat(this.parts) : chunk.subarray(from, to);
      this.excerpt = head.subarray(0, EXCERPT_BYTES).toString('utf8');
      this.tooLong = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(Buffer.from(chunk.subarray(from, to)));
    this.partBytes += to - from;
  }
}

/** Windows line endings: the end of a line before the \r of its \r\n. */
function withoutCr(bytes: Buffer, from: number, to: number): number {
  return to > from && bytes[to - 1] === 13 ? to - 1 : to;
}
