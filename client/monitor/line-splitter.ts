// Splits file chunks into lines with their byte offsets. Lines longer than `maxLineBytes` are
// never decoded or buffered: they are reported as too long (with their first bytes as excerpt).
import { isAscii } from 'node:buffer';

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
  push(chunk: Buffer, offset: number, sink: LineSink, pause?: () => boolean): number {
    // An all-ASCII chunk (the usual log) is decoded once; its lines are slices of that string, which
    // V8 makes without copying. UTF-8 and ASCII agree there, so the text is the same either way.
    const whole = isAscii(chunk) ? chunk.toString('latin1') : null;
    let pos = 0;
    while (pos < chunk.length) {
      const nl = chunk.indexOf(10, pos);
      const end = nl < 0 ? chunk.length : nl;
      if (nl < 0 || this.parts.length > 0 || this.tooLong || end - pos > this.maxLineBytes) {
        this.append(chunk, pos, end);
      }
      if (nl < 0) break;
      let text: string | null;
      if (this.tooLong) text = null;
      else if (this.parts.length === 0)
        text =
          whole === null
            ? decode(chunk, pos, end)
            : whole.slice(pos, end > pos && chunk[end - 1] === 13 ? end - 1 : end);
      else {
        const whole = Buffer.concat(this.parts, this.partBytes);
        text = decode(whole, 0, whole.length);
      }
      sink(text, this.lineStart, offset + nl + 1, this.excerpt);
      this.reset(offset + nl + 1);
      pos = nl + 1;
      if (pause?.()) return pos;
    }
    return chunk.length;
  }

  /** End of input (--until-eof): a last line without a newline is still a line. */
  finish(end: number, sink: LineSink): void {
    if (this.partBytes === 0 && !this.tooLong) return;
    const whole = Buffer.concat(this.parts, this.partBytes);
    sink(this.tooLong ? null : decode(whole, 0, whole.length), this.lineStart, end, this.excerpt);
    this.reset(end);
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

function decode(buffer: Buffer, start: number, end: number): string {
  // Windows line endings: drop the \r before \n.
  const stop = end > start && buffer[end - 1] === 13 ? end - 1 : end;
  return buffer.toString('utf8', start, stop);
}
