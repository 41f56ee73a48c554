-- Up Migration
-- The reporting engine's state: candidate events staged per severity run, thresholds
-- and thresholded events with an explicit scope (docs/mentat.md, "Threshold scope"), reports with their event IDs in a side
-- table (docs/mentat.md, "Report size"), the mail outbox, and the report_runs ledger (the runlog and the fallback cursor).

-- Administrators who receive redirected mail (group `redirect`, Mentat's --mail-admin).
ALTER TABLE global_settings ADD COLUMN IF NOT EXISTS admin_emails text[] NOT NULL DEFAULT '{}';

-- What one severity run found, per (event, IP) of the processed group's chains. Replaced as a
-- whole by a retried fetch; removed by the run's cleanup step. run_id = the severity workflow id.
CREATE TABLE report_staged_hits (
  run_id text NOT NULL,
  pass text NOT NULL CHECK (pass IN ('source', 'target')),
  relapsed boolean NOT NULL,            -- false: fetched in the window; true: a relapse
  event_id text NOT NULL,
  storage_time timestamptz NOT NULL,    -- with event_id: fetches the event with partition pruning
  ip inet NOT NULL,
  chain text[] NOT NULL,                -- non-base network owners, most specific first
  fallback text[] NOT NULL,             -- base network owners
  threshold_key text NOT NULL,          -- whole class +++ ip
  stage text NOT NULL CHECK (stage IN ('filtered', 'uncredible', 'thresholded', 'passed')),
  PRIMARY KEY (run_id, pass, relapsed, event_id, ip)
);

-- Thresholds, scoped by (group, severity, pass): see domain/reporting/threshold-key.ts.
CREATE TABLE report_thresholds (
  group_name text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  pass text NOT NULL CHECK (pass IN ('source', 'target')),
  key text NOT NULL,
  threshold_time timestamptz NOT NULL,  -- start of suppression (the report's time_h)
  relapse_time timestamptz NOT NULL,    -- start of the relapse window (ttl − rel)
  ttl_time timestamptz NOT NULL,        -- end of suppression (time_h + thr)
  report_label text,                    -- the extra report of the key's IP, for threading
  PRIMARY KEY (group_name, severity, pass, key)
);
CREATE INDEX report_thresholds_ttl_idx ON report_thresholds (group_name, severity, pass, ttl_time);

-- Events not reported because their key was live (Mentat's events_thresholded).
CREATE TABLE report_thresholded_events (
  group_name text NOT NULL,
  severity text NOT NULL,
  pass text NOT NULL,
  key text NOT NULL,
  event_id text NOT NULL,
  storage_time timestamptz NOT NULL,
  create_time timestamptz NOT NULL,     -- the time_h of the run that suppressed it
  PRIMARY KEY (group_name, severity, pass, key, event_id)
);
CREATE INDEX report_thresholded_events_time_idx ON report_thresholded_events (create_time);

CREATE TABLE reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  label text NOT NULL UNIQUE,           -- M<YYYYMMDD><T><S>-<5>, derived from report_key
  report_key text NOT NULL UNIQUE,      -- the idempotency key (domain/reporting/labels.ts)
  run_id text NOT NULL,                 -- the severity workflow id
  group_name text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  type text NOT NULL CHECK (type IN ('summary', 'extra', 'target')),
  chain text[] NOT NULL,
  fallback text[] NOT NULL,
  ip inet,                              -- extra reports: the source IP
  parent_label text REFERENCES reports (label),
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL,
  delta_seconds integer NOT NULL,
  flag_testdata boolean NOT NULL DEFAULT false,
  evcount_rep integer NOT NULL,
  evcount_all integer NOT NULL,
  evcount_new integer,
  evcount_flt integer,
  evcount_flt_blk integer,
  evcount_det integer,
  evcount_det_blk integer,
  evcount_thr integer,
  evcount_thr_blk integer,
  evcount_rlp integer,
  filtering jsonb NOT NULL DEFAULT '{}',          -- filter name → hits (summary/target)
  mail_groups text[] NOT NULL DEFAULT '{}',       -- groups that get it by mail; empty = stored only
  mail_to text[] NOT NULL DEFAULT '{}',
  mail_cc text[] NOT NULL DEFAULT '{}',
  locale text NOT NULL,
  timezone text NOT NULL,
  template text NOT NULL,
  statistics jsonb NOT NULL DEFAULT '{}',         -- counts only, never ID lists (docs/mentat.md, "Report size")
  structured_data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_group_created_idx ON reports (group_name, created_at);
CREATE INDEX reports_run_idx ON reports (run_id);

-- The events of a report (docs/mentat.md, "Report size": IDs live here, not in the statistics JSON).
CREATE TABLE report_events (
  report_id bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  event_id text NOT NULL,
  storage_time timestamptz NOT NULL,
  ip inet NOT NULL,
  relapsed boolean NOT NULL,
  PRIMARY KEY (report_id, event_id, ip)
);

-- One row per mail, written in the same transaction as its report; `send` delivers it once.
CREATE TABLE report_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  report_id bigint NOT NULL UNIQUE REFERENCES reports (id) ON DELETE CASCADE,
  message_id text NOT NULL UNIQUE,      -- <label@HERALD_MAIL_DOMAIN>, stable across retries
  to_addrs text[] NOT NULL,
  cc_addrs text[] NOT NULL DEFAULT '{}',
  bcc_addrs text[] NOT NULL DEFAULT '{}',
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  accepted_at timestamptz,
  smtp_response text,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_outbox_pending_idx ON report_outbox (status) WHERE status <> 'accepted';

-- Filter and detector hits charged by a run, once per run (a retried fetch charges nothing more).
CREATE TABLE report_run_hits (
  run_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('filter', 'detector')),
  name text NOT NULL,
  hits integer NOT NULL,
  PRIMARY KEY (run_id, kind, name)
);

-- The ledger: one row per completed severity run. `status` and the fallback cursor read it.
CREATE TABLE report_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id text NOT NULL UNIQUE,
  group_name text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  window_from timestamptz NOT NULL,
  window_to timestamptz NOT NULL,
  test_data boolean NOT NULL DEFAULT false,
  run_kind text NOT NULL DEFAULT 'schedule',
  result text NOT NULL CHECK (result IN ('reported', 'skipped-no-events')),
  counters jsonb NOT NULL,
  reports jsonb NOT NULL DEFAULT '[]',  -- [{label, type, ip, to, cc}]
  filter_hits jsonb NOT NULL DEFAULT '{}',
  cleanup jsonb NOT NULL DEFAULT '{}',
  completed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (group_name, severity, test_data, window_to)
);
CREATE INDEX report_runs_cursor_idx ON report_runs (group_name, severity, test_data, window_to DESC);

-- Down Migration
DROP TABLE IF EXISTS report_runs;
DROP TABLE IF EXISTS report_run_hits;
DROP TABLE IF EXISTS report_outbox;
DROP TABLE IF EXISTS report_events;
DROP TABLE IF EXISTS reports;
DROP TABLE IF EXISTS report_thresholded_events;
DROP TABLE IF EXISTS report_thresholds;
DROP TABLE IF EXISTS report_staged_hits;
ALTER TABLE global_settings DROP COLUMN IF EXISTS admin_emails;
