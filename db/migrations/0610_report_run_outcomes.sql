-- Up Migration
-- A severity run that collects and renders in one step keeps what it
-- counted here, written in the same transaction as its reports: a retried step, or a second
-- attempt racing a stuck one, finds the run done and returns the same counters without fetching
-- again (thresholds armed by the first attempt would otherwise count its events as suppressed).
-- Kept two days (a stuck attempt that wakes up after the run ended must find it too), then
-- removed by any run's cleanup step, like abandoned staging.
CREATE TABLE report_run_outcomes (
  run_id text PRIMARY KEY,              -- the severity workflow id
  outcome jsonb NOT NULL,               -- counters, fetched, filter hits (small)
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_run_outcomes_age_idx ON report_run_outcomes (created_at);

-- Down Migration
DROP TABLE IF EXISTS report_run_outcomes;
