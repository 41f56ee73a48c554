// Accumulates parsed lines into per-bucket aggregates (by log time) between two flushes of the
// tailer; `drain` hands them over as one batch and starts afresh. The workflow receives bucket
// summaries, never lines. Per bucket it keeps hits, bytes, status classes and section counts (its
// top sections are shown per bucket); per batch, exact counts of every section and client, the
// input of the monitor's heavy hitters (domain/access-log/heavy-hitters.ts).
//
// Clients and sections get dense ids per batch (key-table.ts), found from the read buffer's bytes
// when the byte parser read the line (addFields) or from the strings the string parser made (add);
// a line then costs array increments and one probe of a (bucket, section) table, and a key becomes
// a string once per batch.
import { emptyBucketBatch, STATUS_COLUMNS } from './bucket-batch';
import { KeyTable } from './key-table';
import type { LineFields } from './parse-combined-bytes';
import type { ParsedLine } from './parsed-line';
import type { BucketBatch, ParseErrorSample } from './types';

/** Most distinct sections one bucket carries to the workflow (its top sections, for display). */
export const BUCKET_KEY_CAP = 5;
export const PARSE_ERROR_SAMPLES = 5;

export interface DrainedBatch {
  lines: number;
  buckets: BucketBatch;
  /** Exact hits per section / client over the batch. */
  sections: Record<string, number>;
  clients: Record<string, number>;
  parseErrors: number;
  parseErrorSamples: ParseErrorSample[];
  /** Newest log time among the lines, null if none parsed. */
  maxTime: number | null;
}

const excerptOf = (text: string) => text.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');

const STATUS_WIDTH = STATUS_COLUMNS.length;

export class BucketAggregator {
  private readonly clients = new KeyTable();
  private readonly sections = new KeyTable();
  private clientHits: number[] = [];
  /** Distinct sections so far (ids are dense: the next new one gets this id). */
  private sectionTotals = 0;
  // Open buckets by slot (order of first line): bucket number, hits, bytes, six status counts.
  private slotOf = new Map<number, number>();
  private bucketIndex: number[] = [];
  private bucketHits: number[] = [];
  private bucketBytes: number[] = [];
  private bucketStatus: number[] = [];
  // (bucket slot, section id) cells in the order first seen, and their open-addressing table.
  private cellTable = new Int32Array(1024);
  private cellMask = 1023;
  private cellSlot: number[] = [];
  private cellSection: number[] = [];
  private cellHits: number[] = [];
  // The bucket of the previous line: consecutive lines mostly share one.
  private lastIndex = Number.NaN;
  private lastSlot = -1;
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
    return this.bucketIndex.length;
  }

  /**
   * Characters of the batch's keys in its ingest: each distinct section twice (its total and, at
   * most once, in the buckets' top lists) and each distinct client once. Bounds the payload.
   */
  get keyCharCount(): number {
    return this.keyChars;
  }

  /** A line the string parser read. */
  add(line: ParsedLine): void {
    this.count(
      line.time,
      line.status,
      line.bytes,
      this.clients.idOfString(line.client),
      line.section === null ? -1 : this.sections.idOfString(line.section),
    );
  }

  /** A line the byte parser read from `bytes`. */
  addFields(bytes: Uint8Array, fields: LineFields): void {
    this.count(
      fields.time,
      fields.status,
      fields.bytes,
      this.clients.idOfBytes(bytes, fields.clientFrom, fields.clientTo, fields.clientHash),
      fields.sectionFrom < 0
        ? -1
        : this.sections.idOfBytes(bytes, fields.sectionFrom, fields.sectionTo, fields.sectionHash),
    );
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

  private count(time: number, status: number, size: number, client: number, section: number): void {
    this.lines++;
    const index = Math.floor(time / this.refresh);
    let slot = this.lastSlot;
    if (index !== this.lastIndex) {
      slot = this.slotOf.get(index) ?? this.openBucket(index);
      this.lastIndex = index;
      this.lastSlot = slot;
    }
    this.bucketHits[slot] = this.bucketHits[slot]! + 1;
    this.bucketBytes[slot] = this.bucketBytes[slot]! + size;
    const cell = slot * STATUS_WIDTH + (status >= 100 && status < 600 ? (status / 100) | 0 : 0);
    this.bucketStatus[cell] = this.bucketStatus[cell]! + 1;
    if (section >= 0) {
      if (section === this.sectionTotals) {
        this.sectionTotals++;
        this.keyChars += 2 * this.sections.keys[section]!.length;
      }
      this.countCell(slot, section);
    }
    if (client === this.clientHits.length) {
      this.clientHits.push(1);
      this.keyChars += this.clients.keys[client]!.length;
    } else this.clientHits[client] = this.clientHits[client]! + 1;
    if (this.maxTime === null || time > this.maxTime) this.maxTime = time;
  }

  private openBucket(index: number): number {
    const slot = this.bucketIndex.length;
    this.slotOf.set(index, slot);
    this.bucketIndex.push(index);
    this.bucketHits.push(0);
    this.bucketBytes.push(0);
    for (let k = 0; k < STATUS_WIDTH; k++) this.bucketStatus.push(0);
    return slot;
  }

  private countCell(slot: number, section: number): void {
    let probe = cellHash(slot, section) & this.cellMask;
    for (;;) {
      const entry = this.cellTable[probe]!;
      if (entry === 0) break;
      const cell = entry - 1;
      if (this.cellSlot[cell] === slot && this.cellSection[cell] === section) {
        this.cellHits[cell] = this.cellHits[cell]! + 1;
        return;
      }
      probe = (probe + 1) & this.cellMask;
    }
    const cell = this.cellSlot.length;
    this.cellSlot.push(slot);
    this.cellSection.push(section);
    this.cellHits.push(1);
    this.cellTable[probe] = cell + 1;
    if (this.cellSlot.length * 2 > this.cellTable.length) this.growCells();
  }

  private growCells(): void {
    const size = this.cellTable.length * 2;
    this.cellTable = new Int32Array(size);
    this.cellMask = size - 1;
    for (let cell = 0; cell < this.cellSlot.length; cell++) {
      let probe = cellHash(this.cellSlot[cell]!, this.cellSection[cell]!) & this.cellMask;
      while (this.cellTable[probe] !== 0) probe = (probe + 1) & this.cellMask;
      this.cellTable[probe] = cell + 1;
    }
  }

  drain(): DrainedBatch {
    const slots = this.bucketIndex.length;
    // Each bucket's top sections: one pass over the cells with a small sorted array per bucket; on
    // equal counts the section seen first in the bucket stays ahead.
    const topLength = new Int32Array(slots);
    const topSection = new Int32Array(slots * BUCKET_KEY_CAP);
    const topHits = new Float64Array(slots * BUCKET_KEY_CAP);
    const sectionHits = new Float64Array(this.sections.size);
    for (let cell = 0; cell < this.cellSlot.length; cell++) {
      const slot = this.cellSlot[cell]!;
      const section = this.cellSection[cell]!;
      const n = this.cellHits[cell]!;
      sectionHits[section] = sectionHits[section]! + n;
      const base = slot * BUCKET_KEY_CAP;
      const length = topLength[slot]!;
      if (length === BUCKET_KEY_CAP && n <= topHits[base + BUCKET_KEY_CAP - 1]!) continue;
      let i = length < BUCKET_KEY_CAP ? length : BUCKET_KEY_CAP - 1;
      while (i > 0 && topHits[base + i - 1]! < n) {
        if (i < BUCKET_KEY_CAP) {
          topSection[base + i] = topSection[base + i - 1]!;
          topHits[base + i] = topHits[base + i - 1]!;
        }
        i--;
      }
      topSection[base + i] = section;
      topHits[base + i] = n;
      if (length < BUCKET_KEY_CAP) topLength[slot] = length + 1;
    }

    const order = Array.from({ length: slots }, (_, slot) => slot).sort(
      (a, b) => this.bucketIndex[a]! - this.bucketIndex[b]!,
    );
    const buckets = emptyBucketBatch();
    const keyOf = new Int32Array(this.sections.size).fill(-1);
    let previous = 0;
    for (const slot of order) {
      const index = this.bucketIndex[slot]!;
      buckets.index.push(buckets.index.length === 0 ? index : index - previous);
      previous = index;
      buckets.hits.push(this.bucketHits[slot]!);
      buckets.bytes.push(this.bucketBytes[slot]!);
      for (let k = 0; k < STATUS_WIDTH; k++) buckets.status.push(this.bucketStatus[slot * STATUS_WIDTH + k]!);
      const length = topLength[slot]!;
      buckets.top.push(length);
      for (let k = 0; k < length; k++) {
        const section = topSection[slot * BUCKET_KEY_CAP + k]!;
        if (keyOf[section] === -1) {
          keyOf[section] = buckets.keys.length;
          buckets.keys.push(this.sections.keys[section]!);
        }
        buckets.top.push(keyOf[section]!, topHits[slot * BUCKET_KEY_CAP + k]!);
      }
    }
    const sections: Record<string, number> = {};
    for (let id = 0; id < sectionHits.length; id++) sections[this.sections.keys[id]!] = sectionHits[id]!;
    const clients: Record<string, number> = {};
    for (let id = 0; id < this.clientHits.length; id++)
      clients[this.clients.keys[id]!] = this.clientHits[id]!;
    const drained: DrainedBatch = {
      lines: this.lines,
      buckets,
      sections,
      clients,
      parseErrors: this.parseErrors,
      parseErrorSamples: this.samples,
      maxTime: this.maxTime,
    };
    this.reset();
    return drained;
  }

  private reset(): void {
    this.clients.clear();
    this.sections.clear();
    this.clientHits = [];
    this.sectionTotals = 0;
    this.slotOf = new Map();
    this.bucketIndex = [];
    this.bucketHits = [];
    this.bucketBytes = [];
    this.bucketStatus = [];
    if (this.cellSlot.length > 0) this.cellTable.fill(0);
    this.cellSlot = [];
    this.cellSection = [];
    this.cellHits = [];
    this.lastIndex = Number.NaN;
    this.lastSlot = -1;
    this.lines = 0;
    this.parseErrors = 0;
    this.samples = [];
    this.maxTime = null;
    this.keyChars = 0;
  }
}

function cellHash(slot: number, section: number): number {
  const h = Math.imul(slot + 1, 0x9e3779b1) ^ Math.imul(section + 1, 0x85ebca77);
  return h ^ (h >>> 15);
}
