// Accumulates parsed lines into per-bucket aggregates (by log time) between two flushes of the
// tailer; `drain` hands them over as one batch and starts afresh. The workflow receives bucket
// summaries, never lines. Per bucket it keeps hits, bytes, status classes and section counts (its
// top sections are shown per bucket); per batch, exact counts of every section and client, the
// input of the monitor's heavy hitters (domain/access-log/heavy-hitters.ts).
import type { ParsedLine } from './parsed-line';
import type { BucketAggregate, ParseErrorSample, StatusCounts } from './types';

/** Most distinct sections one bucket carries to the workflow (its top sections, for display). */
export const BUCKET_KEY_CAP = 5;
export const PARSE_ERROR_SAMPLES = 5;

interface OpenBucket {
  hits: number;
  bytes: number;
  /** Hits per status class: index 0 = other, 1..5 = 1xx..5xx. */
  status: number[];
  /** A counter cell per key: one hash lookup per line instead of a get and a set. */
  sections: Map<string, { n: number }>;
}

/** The `cap` keys with the most hits, by one pass with a small sorted array (runs per bucket). */
function topCounts(map: Map<string, { n: number }>, cap: number): Record<string, number> {
  const keys: string[] = [];
  const counts: number[] = [];
  for (const [key, cell] of map) {
    const n = cell.n;
    if (keys.length === cap && n <= counts[cap - 1]!) continue;
    let i = keys.length < cap ? keys.length : cap - 1;
    while (i > 0 && counts[i - 1]! < n) {
      if (i < cap) {
        keys[i] = keys[i - 1]!;
        counts[i] = counts[i - 1]!;
      }
      i--;
    }
    keys[i] = key;
    counts[i] = n;
  }
  const out: Record<string, number> = {};
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = counts[i]!;
  return out;
}

function countsOf(map: Map<string, { n: number }>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, cell] of map) out[key] = cell.n;
  return out;
}

export interface DrainedBatch {
  lines: number;
  buckets: BucketAggregate[];
  /** Exact hits per section / client over the batch. */
  sections: Record<string, number>;
  clients: Record<string, number>;
  parseErrors: number;
  parseErrorSamples: ParseErrorSample[];
  /** Newest log time among the lines, null if none parsed. */
  maxTime: number | null;
}

const excerptOf = (text: string) => text.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');

const STATUS_KEYS: (keyof StatusCounts)[] = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

/** Only the classes that occur: the workflow reads a missing class as 0, and payloads stay small. */
function statusCountsOf(counts: number[]): Partial<StatusCounts> {
  const out: Partial<StatusCounts> = {};
  for (let i = 0; i < STATUS_KEYS.length; i++) if (counts[i]) out[STATUS_KEYS[i]!] = counts[i]!;
  return out;
}

export class BucketAggregator {
  private buckets = new Map<number, OpenBucket>();
  private clients = new Map<string, { n: number }>();
  // The bucket of the previous line: consecutive lines mostly share one.
  private lastIndex = Number.NaN;
  private last: OpenBucket | undefined;
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

  /** Characters of the distinct section (per bucket) and client keys so far: bounds the ingest. */
  get keyCharCount(): number {
    return this.keyChars;
  }

  add(line: ParsedLine): void {
    this.lines++;
    const index = Math.floor(line.time / this.refresh);
    let bucket = this.last;
    if (index !== this.lastIndex || bucket === undefined) {
      bucket = this.buckets.get(index);
      if (!bucket) {
        bucket = { hits: 0, bytes: 0, status: [0, 0, 0, 0, 0, 0], sections: new Map() };
        this.buckets.set(index, bucket);
      }
      this.last = bucket;
      this.lastIndex = index;
    }
    bucket.hits++;
    bucket.bytes += line.bytes;
    const status = line.status;
    const statusIndex = status >= 100 && status < 600 ? (status / 100) | 0 : 0;
    bucket.status[statusIndex] = (bucket.status[statusIndex] ?? 0) + 1;
    const section = line.section;
    if (section !== null) {
      const cell = bucket.sections.get(section);
      if (cell === undefined) {
        this.keyChars += section.length;
        bucket.sections.set(section, { n: 1 });
      } else cell.n++;
    }
    const client = line.client;
    const cell = this.clients.get(client);
    if (cell === undefined) {
      this.keyChars += client.length;
      this.clients.set(client, { n: 1 });
    } else cell.n++;
    if (this.maxTime === null || line.time > this.maxTime) this.maxTime = line.time;
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
    const sections = new Map<string, number>();
    const buckets: BucketAggregate[] = [...this.buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([bucket, b]) => {
        for (const [key, cell] of b.sections) sections.set(key, (sections.get(key) ?? 0) + cell.n);
        return {
          bucket,
          hits: b.hits,
          bytes: b.bytes,
          status: statusCountsOf(b.status),
          sections: topCounts(b.sections, BUCKET_KEY_CAP),
        };
      });
    const drained: DrainedBatch = {
      lines: this.lines,
      buckets,
      sections: Object.fromEntries(sections),
      clients: countsOf(this.clients),
      parseErrors: this.parseErrors,
      parseErrorSamples: this.samples,
      maxTime: this.maxTime,
    };
    this.buckets = new Map();
    this.clients = new Map();
    this.last = undefined;
    this.lastIndex = Number.NaN;
    this.lines = 0;
    this.parseErrors = 0;
    this.samples = [];
    this.maxTime = null;
    this.keyChars = 0;
    return drained;
  }
}
