// Shared by the reporting integration tests: a catalog written with plain SQL, IDEA events
// ingested through the event store's own ingest (with a fixed storage time), and a worker with
// the real activities (PostgreSQL, SMTP to an in-process mail catcher).
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import nodemailer from 'nodemailer';
import type pg from 'pg';
import pino from 'pino';
import { createActivities } from '../../../activities';
import { type IngestCatalog, ingestEvents } from '../../../db/events/ingest';
import { storeReportStatistics } from '../../../db/reporting/report-statistics';
import type { Severity } from '../../../domain/reporting/severities';
import type { ReportGroupInput, ReportGroupResult } from '../../../workflows/report-messages';

export interface GroupSpec {
  name: string;
  networks: { network: string; isBase?: boolean }[];
  /**
   * The group's mode. Omitted: `summary`, the mode these tests are written for; null: not set, so the
   * reporter's default (`extra`, docs/schema.md) applies.
   */
  mode?: 'summary' | 'extra' | 'both' | 'none' | null;
  emails?: Partial<Record<Severity, string[]>>;
  locale?: string;
  redirect?: boolean;
  /** The group's own timing per severity (seconds). */
  timing?: Partial<Record<Severity, { per: number; thr: number; rel: number }>>;
}

export async function seedCatalog(
  pool: pg.Pool,
  spec: {
    groups: GroupSpec[];
    detectors?: { name: string; credibility: number }[];
    filters?: { group: string | null; name: string; expression: string; sourceBased?: boolean }[];
    fallback?: string[];
    admin?: string[];
    timings?: Partial<Record<Severity, { per: number; thr: number; rel: number }>>;
  },
): Promise<void> {
  for (const g of spec.groups) {
    const { rows } = await pool.query<{ id: number }>('INSERT INTO groups (name) VALUES ($1) RETURNING id', [
      g.name,
    ]);
    const id = rows[0]!.id;
    for (const n of g.networks)
      await pool.query('INSERT INTO networks (group_id, name, network, is_base) VALUES ($1, $2, $3, $4)', [
        id,
        `${g.name}-${n.network}`,
        n.network,
        n.isBase ?? false,
      ]);
    const e = g.emails ?? {};
    await pool.query(
      `INSERT INTO group_settings (group_id, mode, emails_info, emails_low, emails_medium, emails_high, emails_critical, locale, redirect, timing)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        g.mode === undefined ? 'summary' : g.mode,
        e.info ?? [],
        e.low ?? [],
        e.medium ?? [],
        e.high ?? [],
        e.critical ?? [],
        g.locale ?? null,
        g.redirect ?? false,
        JSON.stringify(g.timing ?? {}),
      ],
    );
  }
  for (const d of spec.detectors ?? [])
    await pool.query('INSERT INTO detectors (name, credibility) VALUES ($1, $2)', [d.name, d.credibility]);
  for (const f of spec.filters ?? [])
    await pool.query(
      `INSERT INTO filters (group_id, name, type, expression, source_based)
       VALUES ((SELECT id FROM groups WHERE name = $1), $2, 'advanced', $3, $4)`,
      [f.group, f.name, f.expression, f.sourceBased ?? true],
    );
  await pool.query('UPDATE global_settings SET fallback_emails = $1, admin_emails = $2', [
    spec.fallback ?? [],
    spec.admin ?? [],
  ]);
  for (const [severity, t] of Object.entries(spec.timings ?? {}))
    await pool.query(
      `UPDATE reporting_timings SET per_seconds = $2, thr_seconds = $3, rel_seconds = $4,
              thr_target_seconds = $3, rel_target_seconds = $4 WHERE severity = $1`,
      [severity, t.per, t.thr, t.rel],
    );
}

export interface EventSpec {
  ip: string | string[];
  group: string;
  severity: Severity;
  cls?: string;
  detector?: string;
  category?: string;
  /** A test event (category Test beside its own), as detectors send them. */
  test?: boolean;
  id?: string;
  target?: { ip: string; group: string; severity: Severity; cls: string };
}

export function ideaEvent(spec: EventSpec, detectTime: Date): Record<string, unknown> {
  const ips = Array.isArray(spec.ip) ? spec.ip : [spec.ip];
  return {
    Format: 'IDEA0',
    ID: spec.id ?? randomUUID(),
    DetectTime: detectTime.toISOString(),
    Category: [spec.category ?? 'Recon.Scanning', ...(spec.test ? ['Test'] : [])],
    Source: [
      { IP4: ips.filter((ip) => !ip.includes(':')), IP6: ips.filter((ip) => ip.includes(':')), Port: [22] },
    ],
    ...(spec.target ? { Target: [{ IP4: [spec.target.ip] }] } : {}),
    Node: [{ Name: spec.detector ?? 'cz.example.sensor', SW: ['test'] }],
    _Mentat: {
      ResolvedAbuses: [spec.group],
      EventClass: spec.cls ?? 'recon-scanning',
      EventSeverity: spec.severity,
      ...(spec.target
        ? {
            TargetAbuses: [spec.target.group],
            TargetClass: spec.target.cls,
            TargetSeverity: spec.target.severity,
          }
        : {}),
    },
  };
}

/**
 * Stores events through the event store's ingest, all with one storage time. Groups come from the
 * catalog's networks (`spec.group` only names the _Mentat.ResolvedAbuses kept as data), or from
 * `catalog` when given: the catalog as it was when the events were stored.
 */
export async function storeEvents(
  pool: pg.Pool,
  specs: EventSpec[],
  storageTime: Date,
  catalog?: IngestCatalog,
): Promise<string[]> {
  const events = specs.map((s) => ideaEvent(s, new Date(storageTime.getTime() - 60_000)));
  return storeDocuments(pool, events, storageTime, catalog);
}

/** Stores IDEA documents as they are through the event store's ingest, all with one storage time. */
export async function storeDocuments(
  pool: pg.Pool,
  events: Record<string, unknown>[],
  storageTime: Date,
  catalog?: IngestCatalog,
): Promise<string[]> {
  async function* records() {
    for (const [i, value] of events.entries()) yield { line: i + 1, value };
  }
  const summary = await ingestEvents(pool, records(), { storageTime, ...(catalog && { catalog }) });
  if (summary.rejected > 0) throw new Error(`ingest rejected events: ${JSON.stringify(summary.errors)}`);
  return events.map((e) => e.ID as string);
}

export function reportingActivities(pool: pg.Pool, smtpUrl: string) {
  return createActivities({
    pool,
    logger: pino({ level: 'silent' }),
    mail: { transport: nodemailer.createTransport(smtpUrl), from: 'herald@csirt.test', domain: 'csirt.test' },
  });
}

export async function runGroup(
  client: Client,
  taskQueue: string,
  input: ReportGroupInput,
): Promise<ReportGroupResult> {
  return client.workflow.execute('reportGroup', {
    taskQueue,
    workflowId: `report:${input.group}:test:${randomUUID()}`,
    args: [input],
  });
}

/** 10-minute aligned instant `minutes` before now's floor (windows lie fully in the past). */
export function alignedPast(minutes = 0, step = 600): Date {
  const now = Date.now();
  return new Date(Math.floor(now / (step * 1000)) * step * 1000 - minutes * 60_000);
}

export interface ReportRow {
  label: string;
  group_name: string;
  severity: Severity;
  type: string;
  ip: string | null;
  chain: string[];
  mail_to: string[];
  mail_cc: string[];
  evcount_rep: number;
  evcount_all: number;
  evcount_new: number | null;
  evcount_flt_blk: number | null;
  evcount_det_blk: number | null;
  evcount_thr_blk: number | null;
  evcount_rlp: number | null;
  parent_label: string | null;
}

export async function reportRows(pool: pg.Pool): Promise<ReportRow[]> {
  const { rows } = await pool.query<ReportRow>(
    'SELECT label, group_name, severity, type, ip, chain, mail_to, mail_cc, evcount_rep, evcount_all, evcount_new, evcount_flt_blk, evcount_det_blk, evcount_thr_blk, evcount_rlp, parent_label FROM reports ORDER BY group_name, severity, type, ip NULLS FIRST',
  );
  return rows;
}

/** Waits until `now` is at least `margin` ms away from the next multiple of `step` seconds. */
export async function awayFromBoundary(step = 600, margin = 60_000): Promise<void> {
  const left = step * 1000 - (Date.now() % (step * 1000));
  if (left < margin) await new Promise((r) => setTimeout(r, left + 2000));
}

/** Each report's stored statistics beside PostgreSQL's count of its stored events (not written). */
export async function recountedStatistics(
  pool: pg.Pool,
): Promise<{ label: string; type: string; stored: unknown; recounted: unknown }[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: number; label: string; type: string; statistics: unknown }>(
      'SELECT id, label, type, statistics FROM reports ORDER BY id',
    );
    const out = [];
    for (const r of rows)
      out.push({
        label: r.label,
        type: r.type,
        stored: r.statistics,
        recounted: await storeReportStatistics(client, r.id, r.type === 'target'),
      });
    return out;
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}
