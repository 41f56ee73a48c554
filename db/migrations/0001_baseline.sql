-- Up Migration
-- Extensions herald's indexes rely on (combined btree/GIN and btree/GiST indexes).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Down Migration
DROP EXTENSION IF EXISTS btree_gist;
DROP EXTENSION IF EXISTS btree_gin;
