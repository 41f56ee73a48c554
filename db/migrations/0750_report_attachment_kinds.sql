-- Up Migration
-- Attachments as CSV as well as JSON (`both`: one of each), compressed with gzip or into one zip
-- archive. `attachments_compress` becomes the method; a group that gzipped keeps gzipping.

ALTER TABLE group_settings DROP CONSTRAINT IF EXISTS group_settings_attachments_check;
ALTER TABLE group_settings
  ADD CONSTRAINT group_settings_attachments_check CHECK (attachments IN ('none', 'json', 'csv', 'both'));
ALTER TABLE group_settings ALTER COLUMN attachments_compress DROP DEFAULT;
ALTER TABLE group_settings
  ALTER COLUMN attachments_compress TYPE text
  USING CASE WHEN attachments_compress THEN 'gzip' ELSE 'none' END;
ALTER TABLE group_settings
  ALTER COLUMN attachments_compress SET DEFAULT 'none',
  ADD CONSTRAINT group_settings_attachments_compress_check
    CHECK (attachments_compress IN ('none', 'gzip', 'zip'));

-- Down Migration
ALTER TABLE group_settings DROP CONSTRAINT IF EXISTS group_settings_attachments_compress_check;
ALTER TABLE group_settings ALTER COLUMN attachments_compress DROP DEFAULT;
ALTER TABLE group_settings
  ALTER COLUMN attachments_compress TYPE boolean USING attachments_compress <> 'none';
ALTER TABLE group_settings ALTER COLUMN attachments_compress SET DEFAULT false;
UPDATE group_settings SET attachments = 'json' WHERE attachments IN ('csv', 'both');
ALTER TABLE group_settings DROP CONSTRAINT IF EXISTS group_settings_attachments_check;
ALTER TABLE group_settings ADD CONSTRAINT group_settings_attachments_check CHECK (attachments IN ('none', 'json'));
