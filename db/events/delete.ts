// Deletes the events a search matches (Mentat's delete_events), in bounded batches so a large
// deletion never holds one long transaction, and forgets their IDs in event_ids so that the same
// events, ingested again, are stored again instead of counted as duplicates.
import type { Queryable } from '../queryable';
import { buildEventWhere, type EventQuery } from './search';

export async function deleteEvents(
  db: Queryable,
  query: EventQuery,
  options: { batchSize: number; onBatch?: (deletedSoFar: number) => void },
): Promise<number> {
  const { where, values } = buildEventWhere({ ...query, limit: undefined, page: undefined });
  values.push(options.batchSize);
  const sql = `
    WITH victims AS (SELECT id, storage_time FROM events ${where} LIMIT $${values.length}),
    gone AS (
      DELETE FROM events e USING victims v
       WHERE e.id = v.id AND e.storage_time = v.storage_time
      RETURNING e.id
    ), forgotten AS (
      DELETE FROM event_ids i USING gone g WHERE i.id = g.id RETURNING i.id
    )
    SELECT (SELECT count(*) FROM gone)::bigint AS deleted`;
  let deleted = 0;
  for (;;) {
    const { rows } = await db.query(sql, values);
    const n = Number(rows[0].deleted);
    if (n === 0) return deleted;
    deleted += n;
    options.onBatch?.(deleted);
  }
}
