-- Up Migration
-- Alert mails of access-log monitors go out like report mails: one report_outbox row each (stable
-- Message-ID, the send activity on the mail task queue, its rate limit, `mail retry`). A row is
-- either a report's (`report_id`) or an alert's (`alert_id`), as `kind` says.
ALTER TABLE report_outbox
  ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'report',
  ADD COLUMN IF NOT EXISTS alert_id bigint UNIQUE REFERENCES alerts (id) ON DELETE CASCADE,
  ALTER COLUMN report_id DROP NOT NULL;
ALTER TABLE report_outbox
  ADD CONSTRAINT report_outbox_kind_check CHECK (
    (kind = 'report' AND report_id IS NOT NULL AND alert_id IS NULL)
    OR (kind = 'alert' AND alert_id IS NOT NULL AND report_id IS NULL));

-- Down Migration
DELETE FROM report_outbox WHERE kind = 'alert';
ALTER TABLE report_outbox DROP CONSTRAINT IF EXISTS report_outbox_kind_check;
ALTER TABLE report_outbox
  ALTER COLUMN report_id SET NOT NULL,
  DROP COLUMN IF EXISTS alert_id,
  DROP COLUMN IF EXISTS kind;
