// Shapes shared by the access-log parser, the tailer, the monitor workflow and the CLI. Everything
// here is plain JSON so it can travel in Temporal payloads and survive continue-as-new.

export type LogFormat = 'combined' | 'csv';
export const logFormats: readonly LogFormat[] = ['combined', 'csv'];

export type AlertRuleName = 'above-average' | 'rate';
export const alertRuleNames: readonly AlertRuleName[] = ['above-average', 'rate'];

export interface MonitorConfig {
  /** Bucket length in seconds (the seed's refresh_time). Fixed for the life of a monitor. */
  refresh: number;
  /** Alert window in seconds (the seed's alert_time); a multiple of `refresh`. */
  window: number;
  /** above-average: hits over the average; rate: requests per second. */
  threshold: number;
  rule: AlertRuleName;
  /**
   * Seconds a bucket stays open after its end (log time), for lines written out of order: a bucket
   * closes when the watermark reaches its end plus this (docs/access-log-monitor.md).
   */
  allowedLateness: number;
}

export const defaultMonitorConfig: MonitorConfig = {
  refresh: 10,
  window: 120,
  threshold: 10,
  rule: 'above-average',
  allowedLateness: 60,
};

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'other';
export type StatusCounts = Record<StatusClass, number>;

export const emptyStatusCounts = (): StatusCounts => ({
  '1xx': 0,
  '2xx': 0,
  '3xx': 0,
  '4xx': 0,
  '5xx': 0,
  other: 0,
});

export function statusClassOf(status: number): StatusClass {
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx` as StatusClass;
  return 'other';
}

/** Hits of one bucket (or the part of it one batch saw). The section map is capped. */
export interface BucketAggregate {
  /** floor(epochSeconds / refresh). */
  bucket: number;
  hits: number;
  bytes: number;
  /** Classes without hits may be left out. */
  status: Partial<StatusCounts>;
  sections: Record<string, number>;
}

/**
 * The buckets of one batch as columns (bucket-batch.ts): an ingest carries thousands of them, and
 * numbers in arrays are a third of the size of one object per bucket in the update's payload.
 */
export interface BucketBatch {
  /** Bucket numbers in ascending order: the first, then each one's distance from the one before. */
  index: number[];
  hits: number[];
  bytes: number[];
  /** Six per bucket: hits with another status, then 1xx, 2xx, 3xx, 4xx, 5xx. */
  status: number[];
  /** Per bucket: n, then n pairs (index into `keys`, hits), its top sections, most hits first. */
  top: number[];
  keys: string[];
}

/** Identity of a log file: the same inode with the same first line is the same file. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /** sha256 (hex, 16 chars) of the first line (at most 256 bytes). */
  head: string;
}

export const fileIdOf = (identity: FileIdentity): string =>
  `${identity.dev}:${identity.ino}:${identity.head}`;

export interface ParseErrorSample {
  offset: number;
  reason: string;
  /** The start of the line, control characters replaced, at most 200 characters. */
  excerpt: string;
}

/** One flush of the tailer: the lines of [start, end) of one file, aggregated. */
export interface IngestRange {
  file: FileIdentity;
  path: string;
  start: number;
  end: number;
  /** The tailer saw the file shrink and re-reads it from 0. */
  afterTruncation: boolean;
  lines: number;
  buckets: BucketBatch;
  parseErrors: number;
  parseErrorSamples: ParseErrorSample[];
  /** Newest log time among the range's lines (epoch s), null if none parsed. */
  newestTime: number | null;
  /** Exact hits per section and per client over the whole range (the heavy hitters' input). */
  sections: Record<string, number>;
  clients: Record<string, number>;
}

export interface IngestInput {
  /** Bucket length the tailer used; must equal the monitor's. */
  refresh: number;
  range: IngestRange | null;
  /** Newest log time (epoch s) the tailer vouches for: lines' newest time, or an idle heartbeat. */
  watermark: number | null;
  /** `monitor tail --print`: return the buckets this ingest closed, with the transitions. */
  report?: boolean;
}

/** A bucket as `monitor tail --print` shows it when it closes. */
export interface ClosedBucketReport {
  /** Bucket start, epoch s. */
  start: number;
  end: number;
  hits: number;
  bytes: number;
  status: StatusCounts;
  topSections: [string, number][];
  /** The transition its close caused, if any. */
  transition: AlertTransition | null;
  /** Cumulative figures as of this close: the seed's statistics object. */
  totalHits: number;
  sectionHits: Record<string, number>;
  mostPopularSection: string | null;
}

export interface IngestResult {
  fileId: string | null;
  committedOffset: number;
  watermark: number | null;
  /** Newest log time of any applied line: --until-eof closes the buckets up to its bucket's end. */
  newestLogTime: number | null;
  /** false when the range had already been applied (a retry). */
  applied: boolean;
  allowedLateness: number;
  /** Only when the ingest asked for a report. */
  closed?: ClosedBucketReport[];
}

export interface AlertTransition {
  state: 'alert' | 'recovered';
  /** End time of the bucket whose close caused it, ISO UTC. */
  at: string;
  hits: number;
  average: number;
  rule: AlertRuleName;
  threshold: number;
  window: number;
}
