-- Up Migration
-- The reporter's window query asks for one (pass, severity, group) at a time. With only a GIN on
-- the groups and a btree on (severity, storage_time), PostgreSQL intersected the group's events
-- with the severity's whole range (≈430k index entries for `low` at 1M events) once per group,
-- severity and pass. This expression index holds exactly those scopes, so each query
-- reads the index entries of its own events. Building it over existing events takes ≈8 s per
-- million rows; afterwards ingest maintains it (one small GIN entry per group of an event).

-- 'source:<severity>:<group>' for every resolved abuse group of the source IPs and
-- 'target:<severity>:<group>' for every group of the target IPs.
CREATE FUNCTION herald_report_scopes(
  event_severity text, resolved_abuses text[], target_severity text, target_abuses text[]
) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ARRAY(
    SELECT 'source:' || event_severity || ':' || a FROM unnest(resolved_abuses) a
     WHERE event_severity IS NOT NULL
    UNION ALL
    SELECT 'target:' || target_severity || ':' || a FROM unnest(target_abuses) a
     WHERE target_severity IS NOT NULL)
$$;

CREATE INDEX events_report_scopes_idx ON events USING gin
  (herald_report_scopes(event_severity, resolved_abuses, target_severity, target_abuses));

-- Down Migration
DROP INDEX IF EXISTS events_report_scopes_idx;
DROP FUNCTION IF EXISTS herald_report_scopes(text, text[], text, text[]);
