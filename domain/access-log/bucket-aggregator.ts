// Accumulates parsed lines into per-bucket aggregates (by log time) between two flushes of the
// tailer; `drain` hands them over as one batch and starts afresh.
import { mapToCappedCounts } from './counts';
import type { ParsedLine } from './parsed-line';
import {
  type BucketAggregate,
  emptyStatusCounts,
  type ParseErrorSample,
  type StatusCounts,
  statusClassOf,
} from './types';

/** Most distinct sections / clients one bucket carries to the workflow. */
export const BUCKET_KEY_CAP = 50;
export const PARSE_ERROR_SAMPLES = 5;

interface OpenBucket {
  hits: number;
  bytes: number;
  status: StatusCounts;
  sections: Map<string, number>;
  clients: Map<string, number>;
}

export interface DrainedBatch {
  lines: number;
  buckets: BucketAggregate[];
  parseErrors: number;
  parseErrorSamples: ParseErrorSample[];
  /** Newest log time among the lines, null if none parsed. */
  maxTime: number | null;
}

const excerptOf = (text: string) => text.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');

export class BucketAggregator {
  private buckets = new Map<number, OpenBucket>();
  private lines = 0;
  private parseErrors = 0;
  private samples: ParseErrorSample[] = [];
  private maxTime: number | null = null;
  private keyChars = 0;

  constructor(private readonly refresh: number) {}

  get lineCount(): number {
    return this.lines;
  }

  get bucketCount(): number {
    return this.buckets.size;
  }

  /** Characters of the distinct section and client keys so far: bounds the next ingest's size. */
  get keyCharCount(): number {
    return this.keyChars;
  }

  add(line: ParsedLine): void {
    this.lines++;
    const index = Math.floor(line.time / this.refresh);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = { hits: 0, bytes: 0, status: emptyStatusCounts(), sections: new Map(), clients: new Map() };
      this.buckets.set(index, bucket);
    }
    bucket.hits++;
    bucket.bytes += line.bytes;
    bucket.status[statusClassOf(line.status)]++;
    if (line.section !== null) this.count(bucket.sections, line.section);
    this.count(bucket.clients, line.client);
    if (this.maxTime === null || line.time > this.maxTime) this.maxTime = line.time;
  }

  private count(keys: Map<string, number>, key: string): void {
    const n = keys.get(key);
    if (n === undefined) this.keyChars += key.length;
    keys.set(key, (n ?? 0) + 1);
  }

  /** A line that is not a hit (e.g. the CSV header). */
  skip(): void {
    this.lines++;
  }

  /** `text` may be omitted for lines too long to decode. */
  parseError(offset: number, reason: string, text: string): void {
    this.lines++;
    this.parseErrors++;
    if (this.samples.length < PARSE_ERROR_SAMPLES)
      this.samples.push({ offset, reason, excerpt: excerptOf(text) });
  }

  drain(): DrainedBatch {
    const buckets: BucketAggregate[] = [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([bucket, b]) => ({
        bucket,
        hits: b.hits,
        bytes: b.bytes,
        status: b.status,
        sections: mapToCappedCounts(b.sections, BUCKET_KEY_CAP),
        clients: mapToCappedCounts(b.clients, BUCKET_KEY_CAP),
      }));
    const drained: DrainedBatch = {
      lines: this.lines,
      buckets,
      parseErrors: this.parseErrors,
      parseErrorSamples: this.samples,
      maxTime: this.maxTime,
    };
    this.buckets = new Map();
    this.lines = 0;
    this.parseErrors = 0;
    this.samples = [];
    this.maxTime = null;
    this.keyChars = 0;
    return drained;
  }
}
