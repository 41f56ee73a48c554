// The order an ingest batch's rows are written in: grouped by the report scope the source pass
// fetches them by (severity, then abuse groups), so a severity run's window reads pages holding
// its own events instead of one page per event (docs/schema.md, "Row order of an ingest batch").
import type { EventRow } from '../../domain/idea/extract';

type ScopeColumns = Pick<EventRow, 'event_severity' | 'resolved_abuses'>;

const scopeOf = (row: ScopeColumns) =>
  `${row.event_severity ?? ''}\u0000${row.resolved_abuses.join('\u0000')}`;

/** The batch in scope order; rows of one scope keep their input order (the sort is stable). */
export function inReportScopeOrder<T>(batch: readonly T[], rowOf: (item: T) => ScopeColumns): T[] {
  const keyed = batch.map((item) => ({ item, scope: scopeOf(rowOf(item)) }));
  keyed.sort((a, b) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
  return keyed.map((k) => k.item);
}
