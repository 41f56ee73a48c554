-- Up Migration
-- A severity run holds its hits in memory and writes its outcome in one transaction
-- (activities/reporting/prepare.ts); nothing reads or writes the staging table any more.
DROP TABLE IF EXISTS report_staged_hits;

-- Down Migration
CREATE TABLE report_staged_hits (
  run_id text NOT NULL,
  pass text NOT NULL CHECK (pass IN ('source', 'target')),
  relapsed boolean NOT NULL,
  event_id text NOT NULL,
  storage_time timestamptz NOT NULL,
  ip inet NOT NULL,
  chain text[] NOT NULL,
  fallback text[] NOT NULL,
  threshold_key text NOT NULL,
  stage text NOT NULL CHECK (stage IN ('filtered', 'uncredible', 'thresholded', 'passed')),
  staged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, pass, relapsed, event_id, ip)
);
CREATE INDEX report_staged_hits_age_idx ON report_staged_hits (staged_at);
