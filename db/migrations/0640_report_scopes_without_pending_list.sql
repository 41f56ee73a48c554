-- Up Migration
-- The reporter's scope index without GIN's pending list (fastupdate = off). With it, ingest
-- appended new entries to an unsorted list of up to gin_pending_list_limit (4 MB) that every
-- window query scanned whole until a vacuum or a later insert merged it: after an ingest, a
-- reporting cycle spent more CPU in PostgreSQL scanning that list than fetching (100k events:
-- 52 against 34 CPU seconds). Now each insert puts its few scope keys into the tree.
-- Partition indexes take their options from this one, so the index is rebuilt (about 8 s per
-- million events, ingest waits meanwhile) and partitions attached later inherit the option.
DROP INDEX IF EXISTS events_report_scopes_idx;
CREATE INDEX events_report_scopes_idx ON events USING gin
  (herald_report_scopes(event_severity, resolved_abuses, target_severity, target_abuses))
  WITH (fastupdate = off);

-- Down Migration
DROP INDEX IF EXISTS events_report_scopes_idx;
CREATE INDEX events_report_scopes_idx ON events USING gin
  (herald_report_scopes(event_severity, resolved_abuses, target_severity, target_abuses));
