// Abuse groups of stored events resolved again from the catalog's networks as they are now: after
// networks are added, moved or removed (or report_base_only is switched), events keep the groups
// they were stored with until this runs. Bounded batches in (storage_time, id) order, each one
// statement; only rows whose groups change are written (with _Mentat's copy of them).
import { type AbuseResolver, createAbuseResolver } from '../../domain/idea/abuse';
import { loadNetworks, loadReportBaseOnly } from '../catalog/read';
import type { Queryable } from '../queryable';

export interface ResolveOptions {
  /** storage_time >= from */
  from: Date | string;
  /** storage_time < to */
  to: Date | string;
  dryRun?: boolean;
  batchSize?: number;
  /** The resolver to use; built from the catalog when not given. */
  abuses?: AbuseResolver;
  onBatch?: (progress: ResolveSummary) => void;
}

export interface ResolveSummary {
  examined: number;
  /** Events whose source, target or base-only groups changed (or would, with dryRun). */
  moved: number;
  /** Of those, the events that had no group before and have one now. */
  nowReported: number;
  /** Of those, the events that had a group before and have none now. */
  nowUnreported: number;
  dryRun: boolean;
}

interface StoredRow {
  id: string;
  storage_time: string;
  source_ips: string[];
  target_ips: string[];
  resolved_abuses: string[];
  target_abuses: string[];
  base_abuses: string[];
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

const updateSql = `
UPDATE events e
   SET resolved_abuses = u.resolved_abuses, target_abuses = u.target_abuses, base_abuses = u.base_abuses,
       event = jsonb_set(jsonb_set(e.event, '{_Mentat,ResolvedAbuses}', to_jsonb(u.resolved_abuses), true),
                         '{_Mentat,TargetAbuses}', to_jsonb(u.target_abuses), true)
  FROM jsonb_to_recordset($1::jsonb)
       AS u(id text, storage_time timestamptz, resolved_abuses text[], target_abuses text[], base_abuses text[])
 WHERE e.id = u.id AND e.storage_time = u.storage_time`;

export async function resolveStoredEvents(db: Queryable, options: ResolveOptions): Promise<ResolveSummary> {
  const batchSize = options.batchSize ?? 5000;
  let abuses = options.abuses;
  if (!abuses) {
    const [networks, reportBaseOnly] = await Promise.all([loadNetworks(db), loadReportBaseOnly(db)]);
    abuses = createAbuseResolver(networks, { reportBaseOnly });
  }
  const summary: ResolveSummary = {
    examined: 0,
    moved: 0,
    nowReported: 0,
    nowUnreported: 0,
    dryRun: options.dryRun ?? false,
  };
  let after: { storageTime: string; id: string } | null = null;
  for (;;) {
    const values: unknown[] = [options.from, options.to, batchSize];
    let keyset = '';
    if (after) {
      values.push(after.storageTime, after.id);
      keyset = 'AND (storage_time, id) > ($4::timestamptz, $5)';
    }
    // Storage times stay PostgreSQL text: microseconds, and (id, storage_time) is the key.
    const { rows } = await db.query<StoredRow>(
      `SELECT id, storage_time::text AS storage_time, source_ips::text[] AS source_ips,
              target_ips::text[] AS target_ips, resolved_abuses, target_abuses, base_abuses
         FROM events
        WHERE storage_time >= $1::timestamptz AND storage_time < $2::timestamptz ${keyset}
        ORDER BY storage_time, id LIMIT $3`,
      values,
    );
    if (rows.length === 0) break;
    const changed: Record<string, unknown>[] = [];
    for (const row of rows) {
      const source = abuses.resolveDetailed(row.source_ips);
      const target = abuses.resolveDetailed(row.target_ips);
      const base = [...new Set([...source.baseOnly, ...target.baseOnly])];
      if (
        sameSet(source.groups, row.resolved_abuses) &&
        sameSet(target.groups, row.target_abuses) &&
        sameSet(base, row.base_abuses)
      )
        continue;
      const hadGroup = row.resolved_abuses.length > 0 || row.target_abuses.length > 0;
      const hasGroup = source.groups.length > 0 || target.groups.length > 0;
      if (!hadGroup && hasGroup) summary.nowReported++;
      if (hadGroup && !hasGroup) summary.nowUnreported++;
      changed.push({
        id: row.id,
        storage_time: row.storage_time,
        resolved_abuses: source.groups,
        target_abuses: target.groups,
        base_abuses: base,
      });
    }
    summary.examined += rows.length;
    summary.moved += changed.length;
    if (changed.length > 0 && !options.dryRun) await db.query(updateSql, [JSON.stringify(changed)]);
    const last = rows.at(-1)!;
    after = { storageTime: last.storage_time, id: last.id };
    options.onBatch?.({ ...summary });
    if (rows.length < batchSize) break;
  }
  return summary;
}
