// Operators' view of the thresholding cache (Mentat's thresholds_count / thresholds_clean):
// list, count and clear report_thresholds rows by group, severity, IP and class. Keys are
// `wholeClass+++ip` (domain/reporting/threshold-key.ts); clearing a key also forgets the events
// it suppressed, so nothing is left to relapse on it.
import type { Queryable } from '../queryable';

export interface ThresholdFilter {
  groups?: string[];
  severities?: string[];
  /** The IP part of the key, exactly as stored. */
  ips?: string[];
  /** The class part of the key, or its class without the subclass. */
  classes?: string[];
  realm?: string;
}

export interface ThresholdRow {
  group: string;
  severity: string;
  realm: string;
  pass: string;
  key: string;
  thresholdTime: Date;
  relapseTime: Date;
  ttlTime: Date;
  /** The key still suppresses (its ttl is in the future). */
  active: boolean;
  /** Events the key suppressed so far. */
  suppressed: number;
}

function where(filter: ThresholdFilter, alias = 't'): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.groups?.length) clauses.push(`${alias}.group_name = ANY(${param(filter.groups)}::text[])`);
  if (filter.severities?.length) clauses.push(`${alias}.severity = ANY(${param(filter.severities)}::text[])`);
  if (filter.realm !== undefined) clauses.push(`${alias}.realm = ${param(filter.realm)}`);
  if (filter.ips?.length)
    clauses.push(`split_part(${alias}.key, '+++', 2) = ANY(${param(filter.ips)}::text[])`);
  if (filter.classes?.length) {
    const p = param(filter.classes);
    const whole = `split_part(${alias}.key, '+++', 1)`;
    clauses.push(`(${whole} = ANY(${p}::text[]) OR split_part(${whole}, '/', 1) = ANY(${p}::text[]))`);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

export async function listThresholds(
  db: Queryable,
  filter: ThresholdFilter,
  limit: number,
): Promise<ThresholdRow[]> {
  const { sql, values } = where(filter);
  values.push(limit);
  const { rows } = await db.query(
    `SELECT t.group_name, t.severity, t.realm, t.pass, t.key, t.threshold_time, t.relapse_time, t.ttl_time,
            t.ttl_time > now() AS active,
            (SELECT count(*) FROM report_thresholded_events e
              WHERE (e.group_name, e.severity, e.realm, e.pass, e.key) = (t.group_name, t.severity, t.realm, t.pass, t.key))::bigint AS suppressed
       FROM report_thresholds t ${sql}
      ORDER BY t.group_name, t.severity, t.pass, t.key LIMIT $${values.length}`,
    values,
  );
  return rows.map((row) => ({
    group: row.group_name,
    severity: row.severity,
    realm: row.realm,
    pass: row.pass,
    key: row.key,
    thresholdTime: row.threshold_time,
    relapseTime: row.relapse_time,
    ttlTime: row.ttl_time,
    active: row.active,
    suppressed: Number(row.suppressed),
  }));
}

export async function countThresholds(
  db: Queryable,
  filter: ThresholdFilter,
): Promise<{ thresholds: number; active: number; suppressedEvents: number }> {
  const { sql, values } = where(filter);
  const { rows } = await db.query(
    `SELECT count(*)::bigint AS thresholds, count(*) FILTER (WHERE t.ttl_time > now())::bigint AS active,
            (SELECT count(*) FROM report_thresholded_events e JOIN report_thresholds t
               ON (e.group_name, e.severity, e.realm, e.pass, e.key) = (t.group_name, t.severity, t.realm, t.pass, t.key)
             ${sql})::bigint AS suppressed
       FROM report_thresholds t ${sql}`,
    values,
  );
  return {
    thresholds: Number(rows[0].thresholds),
    active: Number(rows[0].active),
    suppressedEvents: Number(rows[0].suppressed),
  };
}

/** Deletes the matching thresholds and the events they suppressed, in one statement. */
export async function clearThresholds(
  db: Queryable,
  filter: ThresholdFilter,
): Promise<{ thresholds: number; suppressedEvents: number }> {
  const { sql, values } = where(filter);
  const { rows } = await db.query(
    `WITH cleared AS (DELETE FROM report_thresholds t ${sql}
                      RETURNING t.group_name, t.severity, t.realm, t.pass, t.key),
          forgotten AS (DELETE FROM report_thresholded_events e USING cleared c
                         WHERE (e.group_name, e.severity, e.realm, e.pass, e.key) = (c.group_name, c.severity, c.realm, c.pass, c.key)
                        RETURNING 1)
     SELECT (SELECT count(*) FROM cleared)::bigint AS thresholds, (SELECT count(*) FROM forgotten)::bigint AS events`,
    values,
  );
  return { thresholds: Number(rows[0].thresholds), suppressedEvents: Number(rows[0].events) };
}
