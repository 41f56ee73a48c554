// One log line from the splitter into the bucket aggregator, as the tailer (and the parse
// benchmark, bench/access-log-file.ts) reads it: a combined line of the usual shape straight from
// its bytes (domain/access-log/parse-combined-bytes.ts); anything else, and CSV, decoded and read
// by the string parser, which also names the error of a malformed line.
import type { BucketAggregator } from '../../domain/access-log/bucket-aggregator';
import { newLineFields, parseCombinedBytes } from '../../domain/access-log/parse-combined-bytes';
import { parserFor } from '../../domain/access-log/parse-line';
import { newParsedLine } from '../../domain/access-log/parsed-line';
import type { LogFormat } from '../../domain/access-log/types';

export class LineParser {
  /** Lines stamped after this (epoch s) are refused as `timestamp in the future`. */
  latestTime = Number.POSITIVE_INFINITY;
  private readonly fields = newLineFields();
  private readonly parsed = newParsedLine();
  private readonly parse;
  private readonly bytesFirst: boolean;

  constructor(
    format: LogFormat,
    private readonly aggregator: BucketAggregator,
    private readonly maxLineBytes: number,
  ) {
    this.parse = parserFor(format);
    this.bytesFirst = format === 'combined';
  }

  /** The line `bytes[from, to)` at file offset `start` (null: over the length cap); false: an error. */
  line(bytes: Buffer | null, from: number, to: number, start: number, excerpt: string): boolean {
    const aggregator = this.aggregator;
    if (bytes === null) {
      aggregator.parseError(start, `line too long (over ${this.maxLineBytes} bytes)`, excerpt);
      return false;
    }
    if (this.bytesFirst && parseCombinedBytes(bytes, from, to, this.fields)) {
      if (this.fields.time > this.latestTime) return this.future(start, bytes.toString('utf8', from, to));
      aggregator.addFields(bytes, this.fields);
      return true;
    }
    const text = bytes.toString('utf8', from, to);
    const outcome = this.parse(text, this.parsed);
    if (outcome === 'ok') {
      if (this.parsed.time > this.latestTime) return this.future(start, text);
      aggregator.add(this.parsed);
      return true;
    }
    if (outcome === 'skip') {
      aggregator.skip();
      return true;
    }
    aggregator.parseError(start, outcome, text);
    return false;
  }

  private future(start: number, text: string): false {
    this.aggregator.parseError(start, 'timestamp in the future', text);
    return false;
  }
}
