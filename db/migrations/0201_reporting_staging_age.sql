-- Up Migration
-- Staged hits of a severity run that failed before its cleanup step stay behind; their age lets
-- a later cleanup remove them.
ALTER TABLE report_staged_hits ADD COLUMN staged_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX report_staged_hits_age_idx ON report_staged_hits (staged_at);

-- Down Migration
DROP INDEX IF EXISTS report_staged_hits_age_idx;
ALTER TABLE report_staged_hits DROP COLUMN IF EXISTS staged_at;
