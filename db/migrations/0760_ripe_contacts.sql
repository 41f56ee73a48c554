-- Up Migration
-- Groups and networks built from the RIPE database dumps (`herald catalog import-ripe`). `origin`
-- marks what a RIPE import owns: a re-import adds, changes and removes only rows with origin
-- 'ripe'; hand-made rows ('catalog', the default) are never touched by it. What the import derived
-- for a RIPE group is kept apart from the group's settings (`ripe_group_contacts`), so a re-import
-- can tell the operator's changes from its own: it rewrites a severity's e-mails only while they
-- still equal the mailbox it last wrote there (docs/ripe-import.md).
ALTER TABLE groups ADD COLUMN origin text NOT NULL DEFAULT 'catalog' CHECK (origin IN ('catalog', 'ripe'));
ALTER TABLE networks ADD COLUMN origin text NOT NULL DEFAULT 'catalog' CHECK (origin IN ('catalog', 'ripe'));
CREATE INDEX networks_ripe_idx ON networks (group_id) WHERE origin = 'ripe';

CREATE TABLE ripe_group_contacts (
  group_id bigint PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
  mailbox text NOT NULL,                    -- the abuse-mailbox the group was last imported with
  handles text[] NOT NULL DEFAULT '{}',     -- abuse-c nic-hdls that lead to it (follows a changed mailbox)
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS ripe_group_contacts;
DROP INDEX IF EXISTS networks_ripe_idx;
ALTER TABLE networks DROP COLUMN IF EXISTS origin;
ALTER TABLE groups DROP COLUMN IF EXISTS origin;
