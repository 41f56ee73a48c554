-- Up Migration
-- A report's events as a few rows of arrays instead of a row per (event, IP): the reports of a
-- 1M-event cycle held ≈1M rows, each with a tuple header and a primary-key entry, written after a
-- first copy into the run's scratch table; writing them was a third of PostgreSQL's time in the
-- cycle (bench/README.md). A set is one IP's events of a report, relapsed or not, as one run's
-- flush of findings gathered them. The arrays are stored out of line without compression: the
-- IDs of random UUIDs compress little, and compressing them cost CPU on every write.
-- `report_events` stays as a view with the rows it had, for every reader.
CREATE TABLE report_event_sets (
  report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  ip inet NOT NULL,
  relapsed boolean NOT NULL,
  event_ids text[] NOT NULL,
  storage_times timestamptz[] NOT NULL,
  CHECK (cardinality(event_ids) = cardinality(storage_times))
);
ALTER TABLE report_event_sets ALTER COLUMN event_ids SET STORAGE EXTERNAL,
  ALTER COLUMN storage_times SET STORAGE EXTERNAL;
CREATE INDEX report_event_sets_report_idx ON report_event_sets (report_id);

INSERT INTO report_event_sets (report_id, ip, relapsed, event_ids, storage_times)
SELECT report_id, ip, relapsed, array_agg(event_id ORDER BY storage_time, event_id),
       array_agg(storage_time ORDER BY storage_time, event_id)
  FROM report_events GROUP BY report_id, ip, relapsed;

DROP TRIGGER IF EXISTS reports_truncate_events ON reports;
DROP FUNCTION IF EXISTS herald_truncate_report_events();
DROP TRIGGER IF EXISTS reports_delete_events ON reports;
DROP FUNCTION IF EXISTS herald_delete_report_events();
DROP TABLE report_events;

CREATE VIEW report_events AS
SELECT s.report_id, u.event_id, u.storage_time, s.ip, s.relapsed
  FROM report_event_sets s CROSS JOIN LATERAL unnest(s.event_ids, s.storage_times) AS u(event_id, storage_time);

-- Down Migration
-- Back to the table as 0620 left it: no foreign key, its events deleted with their report by triggers.
DROP VIEW IF EXISTS report_events;
CREATE TABLE report_events (
  report_id bigint NOT NULL,
  event_id text NOT NULL,
  storage_time timestamptz NOT NULL,
  ip inet NOT NULL,
  relapsed boolean NOT NULL,
  PRIMARY KEY (report_id, event_id, ip)
);
INSERT INTO report_events (report_id, event_id, storage_time, ip, relapsed)
SELECT s.report_id, u.event_id, u.storage_time, s.ip, s.relapsed
  FROM report_event_sets s CROSS JOIN LATERAL unnest(s.event_ids, s.storage_times) AS u(event_id, storage_time)
ON CONFLICT DO NOTHING;
DROP TABLE report_event_sets;

CREATE FUNCTION herald_delete_report_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_events WHERE report_id IN (SELECT id FROM deleted_reports);
  RETURN NULL;
END $$;
CREATE TRIGGER reports_delete_events AFTER DELETE ON reports
  REFERENCING OLD TABLE AS deleted_reports
  FOR EACH STATEMENT EXECUTE FUNCTION herald_delete_report_events();
CREATE FUNCTION herald_truncate_report_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE report_events;
  RETURN NULL;
END $$;
CREATE TRIGGER reports_truncate_events AFTER TRUNCATE ON reports
  FOR EACH STATEMENT EXECUTE FUNCTION herald_truncate_report_events();
