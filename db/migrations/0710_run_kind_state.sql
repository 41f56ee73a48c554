-- Up Migration
-- Threshold state per run kind (docs/run-kinds.md): real runs, test-data runs and each re-run keep
-- their own thresholds and thresholded-event records, so no kind of run hides another's events.
-- `realm` is 'real', 'test' or 'rerun:<nonce>'.
ALTER TABLE report_thresholds ADD COLUMN realm text NOT NULL DEFAULT 'real';
ALTER TABLE report_thresholds DROP CONSTRAINT report_thresholds_pkey;
ALTER TABLE report_thresholds ADD PRIMARY KEY (group_name, severity, realm, pass, key);
DROP INDEX report_thresholds_ttl_idx;
CREATE INDEX report_thresholds_ttl_idx ON report_thresholds (group_name, severity, realm, pass, ttl_time);

ALTER TABLE report_thresholded_events ADD COLUMN realm text NOT NULL DEFAULT 'real';
ALTER TABLE report_thresholded_events DROP CONSTRAINT report_thresholded_events_pkey;
ALTER TABLE report_thresholded_events ADD PRIMARY KEY (group_name, severity, realm, pass, key, event_id);

-- A group's own reporting timing per severity ({"high": {"per": 600, "thr": 3600, "rel": 600}},
-- seconds), over the global reporting_timings for that group (Mentat's timing_cfg).
ALTER TABLE group_settings ADD COLUMN timing jsonb NOT NULL DEFAULT '{}';

-- Down Migration
ALTER TABLE group_settings DROP COLUMN IF EXISTS timing;
DELETE FROM report_thresholded_events WHERE realm <> 'real';
ALTER TABLE report_thresholded_events DROP CONSTRAINT report_thresholded_events_pkey;
ALTER TABLE report_thresholded_events ADD PRIMARY KEY (group_name, severity, pass, key, event_id);
ALTER TABLE report_thresholded_events DROP COLUMN realm;
DELETE FROM report_thresholds WHERE realm <> 'real';
ALTER TABLE report_thresholds DROP CONSTRAINT report_thresholds_pkey;
ALTER TABLE report_thresholds ADD PRIMARY KEY (group_name, severity, pass, key);
DROP INDEX report_thresholds_ttl_idx;
CREATE INDEX report_thresholds_ttl_idx ON report_thresholds (group_name, severity, pass, ttl_time);
ALTER TABLE report_thresholds DROP COLUMN realm;
