// Ingest of IDEA events: validate, classify, resolve abuses, store in batches. Idempotent: an ID
// already in event_ids is a duplicate, not a second row. Invalid records are rejected with
// their line and reason and the rest of the input is still stored. What nothing will report is
// counted: events with no abuse group, no class, base-only addresses or unknown categories.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type AbuseResolver, createAbuseResolver } from '../../domain/idea/abuse';
import { type CompiledEventClass, compileEventClasses } from '../../domain/idea/classify';
import { decodeEventBytes, decodeEventValue } from '../../domain/idea/decode';
import { type EventRow, extractEventRow } from '../../domain/idea/extract';
import { isIdeaCategory } from '../../domain/idea/taxonomy';
import { loadEventClasses, loadNetworks, loadReportBaseOnly } from '../catalog/read';
import type { Queryable } from '../queryable';
import { analyzeFilledPartitions } from './analyze-after-ingest';
import { copyColumns, copyLine } from './copy-rows';
import { ensureEventPartitions } from './partitions';
import type { InputRecord } from './read-records';
import { inReportScopeOrder } from './storage-order';

export interface IngestError {
  line: number;
  id?: string;
  message: string;
}

/** Stored events nothing may report, by reason (an event may count under several). */
export interface UnreportedCounts {
  /** No abuse group for any source or target address. */
  noGroup: number;
  /** Neither an event class nor a target class. */
  noClass: number;
  /** An address covered only by base networks (reported only with report_base_only). */
  baseOnly: number;
  /** A category outside the IDEA taxonomy (stored with an inspection warning). */
  unknownCategory: number;
}

export interface IngestSummary extends UnreportedCounts {
  accepted: number;
  duplicates: number;
  rejected: number;
  /** The first `maxErrors` rejections (all of them go to onReject). */
  errors: IngestError[];
  errorsTruncated?: boolean;
}

export interface IngestProgress {
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

export interface IngestCatalog {
  classes: readonly CompiledEventClass[];
  abuses: AbuseResolver;
}

export interface IngestOptions {
  /** Fixed storage time (backfills, tests); default: stamped by the database per row. */
  storageTime?: Date;
  batchSize?: number;
  /** Batches written concurrently (default 2). */
  writers?: number;
  maxErrors?: number;
  /** Classes and networks; loaded from the database when not given. */
  catalog?: IngestCatalog;
  onReject?: (error: IngestError & { raw?: Uint8Array | unknown }) => void | Promise<void>;
  onProgress?: (progress: IngestProgress) => void;
  /** Rows written before the partitions' statistics are refreshed at the end (analyze-after-ingest.ts). */
  analyzeAfterRows?: number;
}

export async function loadIngestCatalog(db: Queryable): Promise<IngestCatalog> {
  const [classes, networks, reportBaseOnly] = await Promise.all([
    loadEventClasses(db),
    loadNetworks(db),
    loadReportBaseOnly(db),
  ]);
  return {
    classes: compileEventClasses(classes),
    abuses: createAbuseResolver(networks, { reportBaseOnly }),
  };
}

const columns: [keyof EventRow, string][] = [
  ['id', 'text'],
  ['detect_time', 'timestamptz'],
  ['event_time', 'timestamptz'],
  ['cease_time', 'timestamptz'],
  ['categories', 'text[]'],
  ['description', 'text'],
  ['tlp', 'text'],
  ['source_ips', 'inet[]'],
  ['target_ips', 'inet[]'],
  ['source_ip4_net', 'inet'],
  ['source_ip6_net', 'inet'],
  ['target_ip4_net', 'inet'],
  ['target_ip6_net', 'inet'],
  ['source_ports', 'integer[]'],
  ['target_ports', 'integer[]'],
  ['source_types', 'text[]'],
  ['target_types', 'text[]'],
  ['protocols', 'text[]'],
  ['node_names', 'text[]'],
  ['node_types', 'text[]'],
  ['resolved_abuses', 'text[]'],
  ['target_abuses', 'text[]'],
  ['base_abuses', 'text[]'],
  ['event_class', 'text'],
  ['event_subclasses', 'text[]'],
  ['target_class', 'text'],
  ['target_subclasses', 'text[]'],
  ['event_severity', 'text'],
  ['target_severity', 'text'],
  ['inspection_errors', 'text[]'],
  ['shadow_reporting', 'boolean'],
  ['shadow_reporting_target', 'boolean'],
  ['is_test', 'boolean'],
];
const plain = columns.map(([name]) => name).join(', ');

// One statement per batch: register the IDs (the duplicates drop out here), then store only the
// rows whose ID this statement registered, stamping StorageTime into the stored JSON as well.
const insertBatchSql = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS x(${columns.map(([name, type]) => `${name} ${type}`).join(', ')}, event jsonb)
), fresh AS (
  INSERT INTO event_ids (id, storage_time)
  SELECT id, COALESCE($2::timestamptz, clock_timestamp()) FROM input ORDER BY id
  ON CONFLICT (id) DO NOTHING
  RETURNING id, storage_time
)
INSERT INTO events (${plain}, storage_time, event)
SELECT ${columns.map(([name]) => `i.${name}`).join(', ')}, f.storage_time,
       jsonb_set(i.event, '{_Mentat,StorageTime}',
                 to_jsonb(to_char(f.storage_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')))
  FROM input i JOIN fresh f ON f.id = i.id
RETURNING id`;

const utf8 = new TextDecoder('utf-8');

interface Pending {
  row: EventRow;
  /** The input's JSON text, when the stored JSON may be built from it (see copyLine). */
  text?: string;
  line: number;
  raw: unknown;
}

// IDs are registered in ID order, so two ingests of overlapping batches take their row locks in
// the same order; should PostgreSQL still pick one as a deadlock victim, the batch (one
// statement, rolled back whole) is simply run again.
async function insertBatch(db: Queryable, batch: Pending[], storageTime?: Date): Promise<Set<string>> {
  const ordered = inReportScopeOrder(batch, (p) => p.row);
  if (db instanceof pg.Pool) return copyBatch(db, ordered, storageTime);
  return insertBatchAsJson(
    db,
    ordered.map((p) => p.row),
    storageTime,
  );
}

const registerIdsSql = `
INSERT INTO event_ids (id, storage_time)
SELECT id, COALESCE($2::timestamptz, clock_timestamp()) FROM unnest($1::text[]) AS input(id) ORDER BY id
ON CONFLICT (id) DO NOTHING
RETURNING id, to_char(storage_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS stamp`;

/**
 * The fast path: register the IDs, then COPY only the rows whose ID this batch registered, in one
 * transaction (IDs never outlive a failed COPY). Nearly all of the database's work is then the
 * COPY and its index maintenance.
 */
async function copyBatch(pool: pg.Pool, batch: Pending[], storageTime?: Date): Promise<Set<string>> {
  const client = await pool.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query('BEGIN');
        const fresh = await client.query<{ id: string; stamp: string }>(registerIdsSql, [
          batch.map((p) => p.row.id),
          storageTime ?? null,
        ]);
        const stamps = new Map(fresh.rows.map((row) => [row.id, row.stamp]));
        let text = '';
        for (const { row, text: input } of batch) {
          const stamp = stamps.get(row.id);
          if (stamp !== undefined) text += copyLine(row, stamp, input);
        }
        if (text) {
          const copy = client.query(copyFrom(`COPY events (${copyColumns.join(', ')}) FROM STDIN`));
          await pipeline(Readable.from([text]), copy);
        }
        await client.query('COMMIT');
        return new Set(stamps.keys());
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
      }
    }
  } finally {
    client.release();
  }
}

/** One statement per batch, for a single connection (no transaction of its own needed). */
async function insertBatchAsJson(db: Queryable, rows: EventRow[], storageTime?: Date): Promise<Set<string>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await db.query<{ id: string }>(insertBatchSql, [
        JSON.stringify(rows),
        storageTime ?? null,
      ]);
      return new Set(result.rows.map((row) => row.id));
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
    }
  }
}

export async function ingestEvents(
  db: Queryable,
  records: AsyncIterable<InputRecord>,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const batchSize = options.batchSize ?? 1000;
  const maxErrors = options.maxErrors ?? 1000;
  const catalog = options.catalog ?? (await loadIngestCatalog(db));
  const summary: IngestSummary = {
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    noGroup: 0,
    noClass: 0,
    baseOnly: 0,
    unknownCategory: 0,
    errors: [],
  };
  const countStored = (rows: readonly EventRow[], stored: Set<string>) => {
    for (const row of rows) {
      if (!stored.has(row.id)) continue;
      summary.accepted++;
      if (row.resolved_abuses.length === 0 && row.target_abuses.length === 0) summary.noGroup++;
      if (row.event_class === null && row.target_class === null) summary.noClass++;
      if (row.base_abuses.length > 0) summary.baseOnly++;
      if (!row.categories.every(isIdeaCategory)) summary.unknownCategory++;
    }
    summary.duplicates += rows.length - stored.size;
  };
  let recordCount = 0;

  let partitionsUntil = '';
  // The UTC days rows were written in (their partitions), for the statistics at the end.
  const daysWritten = new Set<string>();
  const ensurePartitions = async () => {
    const now = options.storageTime ?? new Date();
    const day = now.toISOString().slice(0, 10);
    daysWritten.add(day);
    if (day === partitionsUntil) return;
    await ensureEventPartitions(db, now, options.storageTime ? now : new Date(now.getTime() + 86_400_000));
    partitionsUntil = day;
  };

  const reject = async (error: IngestError, raw?: Uint8Array | unknown) => {
    summary.rejected++;
    if (summary.errors.length < maxErrors) summary.errors.push(error);
    else summary.errorsTruncated = true;
    await options.onReject?.({ ...error, raw });
  };

  // Batches are written while the next ones are parsed, at most `writers` at a time (bounded
  // memory); concurrent batches with the same ID are safe: the event_ids insert serialises them.
  const writers = Math.max(1, options.writers ?? 2);
  const inFlight: Promise<void>[] = [];
  let failure: unknown = null;
  const write = async (batch: Pending[]) => {
    try {
      countStored(
        batch.map((p) => p.row),
        await insertBatch(db, batch, options.storageTime),
      );
    } catch (error) {
      // A value PostgreSQL refuses (SQLSTATE class 22, data exception) fails the whole batch:
      // retry row by row so only the offending events are rejected.
      if (!String((error as { code?: string }).code ?? '').startsWith('22')) throw error;
      for (const pending of batch) {
        try {
          countStored([pending.row], await insertBatch(db, [pending], options.storageTime));
        } catch (rowError) {
          if (!String((rowError as { code?: string }).code ?? '').startsWith('22')) throw rowError;
          await reject(
            {
              line: pending.line,
              id: pending.row.id,
              message: `rejected by the database: ${(rowError as Error).message}`,
            },
            pending.raw,
          );
        }
      }
    }
    options.onProgress?.({ records: recordCount, ...counts() });
  };
  const flush = async (batch: Pending[]) => {
    while (inFlight.length >= writers) await inFlight.shift();
    if (failure) throw failure;
    await ensurePartitions();
    inFlight.push(
      write(batch).catch((error) => {
        failure = error;
      }),
    );
  };
  const counts = () => ({
    accepted: summary.accepted,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
  });

  let batch: Pending[] = [];
  let batchIds = new Set<string>();
  for await (const record of records) {
    recordCount++;
    if (record.error) {
      await reject({ line: record.line, message: record.error });
      continue;
    }
    const decoded = record.bytes ? decodeEventBytes(record.bytes) : decodeEventValue(record.value);
    if (!decoded.ok) {
      await reject(
        { line: record.line, ...(decoded.id !== undefined && { id: decoded.id }), message: decoded.message },
        record.bytes ?? record.value,
      );
      continue;
    }
    let row: EventRow;
    try {
      row = extractEventRow(decoded.event, { ...catalog, repairs: decoded.repairs });
    } catch (error) {
      await reject(
        { line: record.line, id: decoded.event.ID, message: (error as Error).message },
        record.bytes,
      );
      continue;
    }
    if (batchIds.has(row.id)) {
      // The same ID twice within one batch: the first one wins, like across batches.
      summary.duplicates++;
      continue;
    }
    batchIds.add(row.id);
    const reusable =
      record.bytes !== undefined &&
      decoded.repairs.length === 0 &&
      !Object.hasOwn(decoded.event, '_Mentat') &&
      !Object.hasOwn(decoded.event, '_CESNET');
    batch.push({
      row,
      ...(reusable && { text: utf8.decode(record.bytes) }),
      line: record.line,
      raw: record.bytes ?? record.value,
    });
    if (batch.length >= batchSize) {
      await flush(batch);
      batch = [];
      batchIds = new Set();
    }
  }
  if (batch.length) await flush(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  // Rows stamped by the database may have crossed midnight after the last batch began.
  if (!options.storageTime) daysWritten.add(new Date().toISOString().slice(0, 10));
  await analyzeFilledPartitions(db, daysWritten, summary.accepted, options.analyzeAfterRows);
  return summary;
}
