-- Up Migration
-- Searches list newest first with the ID as tie-breaker (ORDER BY storage_time DESC, id DESC, so
-- --page is stable). With the ID in the index the first page is read straight from it even when
-- many events share one storage time (a backfill with --storage-time): on (storage_time) alone
-- PostgreSQL had to sort every tied row, a sequential pass over a million-event day.
-- The key is wider than storage_time alone, which costs ingest little (bench/ingest.md).
DROP INDEX IF EXISTS events_storage_time_idx;
CREATE INDEX events_storage_time_id_idx ON events (storage_time, id);

-- Down Migration
DROP INDEX IF EXISTS events_storage_time_id_idx;
CREATE INDEX events_storage_time_idx ON events (storage_time);
