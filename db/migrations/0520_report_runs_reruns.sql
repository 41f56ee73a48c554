-- Up Migration
-- Re-runs (`herald rerun`) report past windows again as new workflows. Their ledger rows sit
-- beside the scheduled row of the same window, so the one-row-per-window rule holds only for the
-- runs that move the cursors; re-run rows are never a cursor (db/reporting/ledger.ts).
ALTER TABLE report_runs DROP CONSTRAINT IF EXISTS report_runs_group_name_severity_test_data_window_to_key;
CREATE UNIQUE INDEX report_runs_window_uniq ON report_runs (group_name, severity, test_data, window_to)
  WHERE run_kind <> 'rerun';
CREATE INDEX report_runs_completed_idx ON report_runs (completed_at DESC);

-- Down Migration
DROP INDEX IF EXISTS report_runs_completed_idx;
DELETE FROM report_runs WHERE run_kind = 'rerun';
DROP INDEX IF EXISTS report_runs_window_uniq;
ALTER TABLE report_runs ADD CONSTRAINT report_runs_group_name_severity_test_data_window_to_key
  UNIQUE (group_name, severity, test_data, window_to);
