-- Up Migration
-- Events nothing reports must be visible. base_abuses: owners of the most specific base network
-- of each source or target address that no other network covers (Mentat never reports those
-- addresses); counted by ingest and `herald status`, found by `events search --base-only`.
-- report_base_only: the catalog setting that reports such addresses to those owners instead.
ALTER TABLE events ADD COLUMN base_abuses text[] NOT NULL DEFAULT '{}';
ALTER TABLE global_settings ADD COLUMN report_base_only boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE global_settings DROP COLUMN IF EXISTS report_base_only;
ALTER TABLE events DROP COLUMN IF EXISTS base_abuses;
