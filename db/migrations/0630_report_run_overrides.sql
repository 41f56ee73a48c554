-- Up Migration
-- `herald force` while a one-step severity run is in its step (waiting at the window fence or
-- fetching): the run records the overrides here, and the step reads them when it renders. Both
-- take the run's render lock, so an override is either recorded before the step renders (and
-- used) or refused because the run's reports are already stored (and the run says so). A run
-- that is never forced reads an empty table. Removed after two days, like run outcomes.
CREATE TABLE report_run_overrides (
  run_id text PRIMARY KEY,              -- the severity workflow id
  options jsonb NOT NULL,               -- { force, mail } as the run holds them now (small)
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_run_overrides_age_idx ON report_run_overrides (created_at);

-- Down Migration
DROP TABLE IF EXISTS report_run_overrides;
