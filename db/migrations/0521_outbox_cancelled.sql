-- Up Migration
-- `herald cancel`: a cancelled severity run marks its mails that have no outcome yet as
-- `cancelled`, so no report is left looking as if it were still to be sent. Rows SMTP already
-- accepted stay `accepted`.
ALTER TABLE report_outbox DROP CONSTRAINT IF EXISTS report_outbox_status_check;
ALTER TABLE report_outbox
  ADD CONSTRAINT report_outbox_status_check CHECK (status IN ('pending', 'accepted', 'failed', 'cancelled'));
ALTER TABLE report_outbox ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;

-- Down Migration
UPDATE report_outbox SET status = 'failed', failed_at = coalesce(failed_at, cancelled_at)
 WHERE status = 'cancelled';
ALTER TABLE report_outbox DROP COLUMN IF EXISTS cancelled_at;
ALTER TABLE report_outbox DROP CONSTRAINT IF EXISTS report_outbox_status_check;
ALTER TABLE report_outbox
  ADD CONSTRAINT report_outbox_status_check CHECK (status IN ('pending', 'accepted', 'failed'));
