-- Up Migration
-- A token that changes with every statement writing what the reporter's whois is built from
-- (groups, their networks, the global report_base_only setting). A worker keeps one whois per
-- token for all its severity runs instead of loading every network of the catalog for each run:
-- a RIPE import holds hundreds of thousands (docs/reporting.md, "The catalog of a run"). The token
-- is a row, not a sequence, so a reader sees the token of the catalog its snapshot sees.
CREATE TABLE catalog_networks_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  token uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO catalog_networks_version DEFAULT VALUES;
CREATE FUNCTION herald_bump_catalog_networks_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE catalog_networks_version SET token = gen_random_uuid();
  RETURN NULL;
END $$;
CREATE TRIGGER networks_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON networks
  FOR EACH STATEMENT EXECUTE FUNCTION herald_bump_catalog_networks_version();
CREATE TRIGGER groups_networks_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON groups
  FOR EACH STATEMENT EXECUTE FUNCTION herald_bump_catalog_networks_version();
CREATE TRIGGER global_settings_networks_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON global_settings
  FOR EACH STATEMENT EXECUTE FUNCTION herald_bump_catalog_networks_version();

-- Down Migration
DROP TRIGGER global_settings_networks_version ON global_settings;
DROP TRIGGER groups_networks_version ON groups;
DROP TRIGGER networks_version ON networks;
DROP FUNCTION herald_bump_catalog_networks_version();
DROP TABLE catalog_networks_version;
