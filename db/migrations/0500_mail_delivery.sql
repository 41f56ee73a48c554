-- Up Migration
-- Mail and delivery: per-group attachment settings (Mentat's `attachments`, `compress`,
-- `max_attachment_size`), the attachments of outbox mails, and what delivery learned from the MTA.

ALTER TABLE group_settings
  ADD COLUMN IF NOT EXISTS attachments text NOT NULL DEFAULT 'none' CHECK (attachments IN ('none', 'json')),
  ADD COLUMN IF NOT EXISTS attachments_compress boolean NOT NULL DEFAULT false,
  -- bytes of uncompressed JSON; 0 = no limit (Mentat's default 10 MiB)
  ADD COLUMN IF NOT EXISTS max_attachment_bytes bigint NOT NULL DEFAULT 10485760 CHECK (max_attachment_bytes >= 0);

-- One attachment per mail at most today; a table keeps the outbox row small to scan.
CREATE TABLE report_outbox_attachments (
  outbox_id bigint NOT NULL REFERENCES report_outbox (id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  content bytea NOT NULL,
  events integer NOT NULL,              -- events in the file
  omitted integer NOT NULL DEFAULT 0,   -- events left out by the size limit (the body says so)
  PRIMARY KEY (outbox_id, filename)
);

ALTER TABLE report_outbox
  ADD COLUMN IF NOT EXISTS queue_id text,           -- the MTA's queue id, parsed from its 250 reply
  ADD COLUMN IF NOT EXISTS failed_at timestamptz;   -- when a permanent failure was recorded

-- Down Migration
ALTER TABLE report_outbox DROP COLUMN IF EXISTS failed_at, DROP COLUMN IF EXISTS queue_id;
DROP TABLE IF EXISTS report_outbox_attachments;
ALTER TABLE group_settings
  DROP COLUMN IF EXISTS max_attachment_bytes,
  DROP COLUMN IF EXISTS attachments_compress,
  DROP COLUMN IF EXISTS attachments;
