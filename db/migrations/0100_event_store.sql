-- Up Migration
-- herald's event store: IDEA events with the columns the reporter queries extracted from the JSON,
-- partitioned by day of storage time (UTC) so retention is a cheap DROP of old partitions.

-- The idempotency registry: one row per event ID ever stored (until retention removes it).
-- A unique index on the partitioned table would have to include storage_time, so the
-- "same ID twice" rule lives here; ingest inserts here first (ON CONFLICT DO NOTHING) and
-- stores only the IDs this insert returned.
CREATE TABLE event_ids (
  id text PRIMARY KEY,
  storage_time timestamptz NOT NULL
);
CREATE INDEX event_ids_storage_time_idx ON event_ids (storage_time);

CREATE TABLE events (
  id text NOT NULL,                                -- IDEA ID
  -- Stamped by the database at ingest (clock_timestamp(), i.e. per row, not per transaction);
  -- the reporter's windows [from, to) are on this column.
  storage_time timestamptz NOT NULL DEFAULT clock_timestamp(),
  detect_time timestamptz NOT NULL,                -- IDEA DetectTime
  event_time timestamptz,                          -- IDEA EventTime
  cease_time timestamptz,                          -- IDEA CeaseTime
  categories text[] NOT NULL,                      -- IDEA Category
  description text,
  tlp text,
  -- Every Source[].IP4/IP6 (resp. Target) as inet; IDEA ranges a-b are split into exact CIDRs.
  source_ips inet[] NOT NULL DEFAULT '{}',
  target_ips inet[] NOT NULL DEFAULT '{}',
  -- Smallest network covering all source (target) addresses of one family; NULL when none.
  -- GiST-indexed prefilter for IP/CIDR searches (Mentat's *_aggr_ip4/6 envelopes).
  source_ip4_net inet,
  source_ip6_net inet,
  target_ip4_net inet,
  target_ip6_net inet,
  source_ports integer[] NOT NULL DEFAULT '{}',
  target_ports integer[] NOT NULL DEFAULT '{}',
  source_types text[] NOT NULL DEFAULT '{}',
  target_types text[] NOT NULL DEFAULT '{}',
  protocols text[] NOT NULL DEFAULT '{}',          -- sorted union of Source/Target Proto, lower-case
  node_names text[] NOT NULL DEFAULT '{}',         -- every Node[].Name (detectors)
  node_types text[] NOT NULL DEFAULT '{}',
  resolved_abuses text[] NOT NULL DEFAULT '{}',    -- abuse groups of the source IPs
  target_abuses text[] NOT NULL DEFAULT '{}',      -- abuse groups of the target IPs
  event_class text,
  event_subclasses text[] NOT NULL DEFAULT '{}',
  target_class text,
  target_subclasses text[] NOT NULL DEFAULT '{}',
  event_severity text CHECK (event_severity IN ('info', 'low', 'medium', 'high', 'critical')),
  target_severity text CHECK (target_severity IN ('info', 'low', 'medium', 'high', 'critical')),
  inspection_errors text[] NOT NULL DEFAULT '{}',  -- incl. what ingest had to repair (\u0000)
  shadow_reporting boolean NOT NULL DEFAULT false,
  shadow_reporting_target boolean NOT NULL DEFAULT false,
  is_test boolean NOT NULL DEFAULT false,          -- Category contains "Test"
  event jsonb NOT NULL,                            -- the full IDEA event (with _Mentat filled in)
  PRIMARY KEY (id, storage_time)
) PARTITION BY RANGE (storage_time);

-- Catches rows for a day whose partition does not exist yet: ingest never fails for a missing day.
CREATE TABLE events_default PARTITION OF events DEFAULT;

-- The reporter's window query: storage_time range + severity + group (GIN on the arrays).
CREATE INDEX events_storage_time_idx ON events (storage_time);
CREATE INDEX events_severity_storage_idx ON events (event_severity, storage_time)
  WHERE event_severity IS NOT NULL;
CREATE INDEX events_target_severity_storage_idx ON events (target_severity, storage_time)
  WHERE target_severity IS NOT NULL;
CREATE INDEX events_detect_time_idx ON events (detect_time);
CREATE INDEX events_arrays_gin_idx ON events USING gin
  (resolved_abuses, target_abuses, categories, node_names, protocols);
CREATE INDEX events_class_idx ON events (event_class) WHERE event_class IS NOT NULL;
CREATE INDEX events_target_class_idx ON events (target_class) WHERE target_class IS NOT NULL;
CREATE INDEX events_source_ip4_idx ON events USING gist (source_ip4_net inet_ops);
CREATE INDEX events_source_ip6_idx ON events USING gist (source_ip6_net inet_ops);
CREATE INDEX events_target_ip4_idx ON events USING gist (target_ip4_net inet_ops);
CREATE INDEX events_target_ip6_idx ON events USING gist (target_ip6_net inet_ops);

-- Name of the daily partition holding `day` (UTC).
CREATE FUNCTION herald_event_partition_name(day date) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'events_' || to_char(day, 'YYYYMMDD') $$;

-- Creates the daily partitions for from_day..to_day (UTC days) that are missing; rows that
-- already landed in events_default for such a day are moved into the new partition first.
-- Safe to call concurrently (advisory lock) and repeatedly. Returns the number created.
CREATE FUNCTION herald_ensure_event_partitions(from_day date, to_day date) RETURNS integer
  LANGUAGE plpgsql AS $$
DECLARE
  day date;
  part text;
  lower_bound timestamptz;
  upper_bound timestamptz;
  created integer := 0;
BEGIN
  FOR day IN SELECT generate_series(from_day, to_day, interval '1 day')::date LOOP
    part := herald_event_partition_name(day);
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    PERFORM pg_advisory_xact_lock(hashtext('herald_event_partitions'));
    CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
    lower_bound := day::timestamp AT TIME ZONE 'UTC';
    upper_bound := (day + 1)::timestamp AT TIME ZONE 'UTC';
    EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXECUTE format(
      'WITH moved AS (DELETE FROM events_default WHERE storage_time >= %L AND storage_time < %L RETURNING *) '
      'INSERT INTO %I SELECT * FROM moved', lower_bound, upper_bound, part);
    EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
      part, lower_bound, upper_bound);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;

-- Partitions for yesterday..tomorrow so a fresh database starts with real partitions.
SELECT herald_ensure_event_partitions(
  (now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 1);

-- Down Migration
DROP FUNCTION IF EXISTS herald_ensure_event_partitions(date, date);
DROP FUNCTION IF EXISTS herald_event_partition_name(date);
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS event_ids;
