-- Up Migration
-- The reporting catalog: abuse groups and their networks, per-group reporting settings,
-- filters, detectors, event classes and global settings (Mentat's sqldb models).
-- Imported from a YAML/JSON file (`herald catalog import`) in one transaction, upserted by name.

CREATE TABLE groups (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name <> '' AND name !~ '[\r\n]'),
  description text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT true,
  parent_id bigint REFERENCES groups (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE networks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
  name text NOT NULL,                      -- Mentat netname
  network cidr NOT NULL,
  description text NOT NULL DEFAULT '',
  is_base boolean NOT NULL DEFAULT false,  -- base/fallback network: its group only as fallback recipient
  rank integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (group_id, network)
);
-- "which networks contain this IP": network >>= ip
CREATE INDEX networks_network_idx ON networks USING gist (network inet_ops);

CREATE TABLE group_settings (
  group_id bigint PRIMARY KEY REFERENCES groups (id) ON DELETE CASCADE,
  mode text CHECK (mode IN ('summary', 'extra', 'both', 'none')),  -- NULL = default (summary)
  emails_info text[] NOT NULL DEFAULT '{}',
  emails_low text[] NOT NULL DEFAULT '{}',
  emails_medium text[] NOT NULL DEFAULT '{}',
  emails_high text[] NOT NULL DEFAULT '{}',
  emails_critical text[] NOT NULL DEFAULT '{}',
  locale text,                              -- NULL = global default
  timezone text,                            -- IANA name; NULL = global default
  redirect boolean NOT NULL DEFAULT false,
  interval_seconds integer CHECK (interval_seconds > 0),  -- NULL = the reporter's default tick
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE filters (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id bigint REFERENCES groups (id) ON DELETE CASCADE,  -- NULL = global filter
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  enabled boolean NOT NULL DEFAULT true,
  source_based boolean NOT NULL DEFAULT true,  -- true: source passes; false: target passes
  type text NOT NULL CHECK (type IN ('basic', 'advanced')),
  -- The CEL expression the reporter evaluates (for basic filters: generated from the lists).
  expression text NOT NULL,
  valid_from timestamptz,
  valid_to timestamptz,
  detectors text[] NOT NULL DEFAULT '{}',
  categories text[] NOT NULL DEFAULT '{}',
  event_classes text[] NOT NULL DEFAULT '{}',
  sources cidr[] NOT NULL DEFAULT '{}',
  targets cidr[] NOT NULL DEFAULT '{}',
  protocols text[] NOT NULL DEFAULT '{}',
  hits bigint NOT NULL DEFAULT 0,
  last_hit timestamptz,
  position integer NOT NULL DEFAULT 0,  -- evaluation order within its group (file order)
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (group_id, name)
);

CREATE TABLE detectors (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  source text NOT NULL DEFAULT 'catalog',
  credibility double precision NOT NULL DEFAULT 1.0 CHECK (credibility >= 0 AND credibility <= 1),
  registered timestamptz,
  hits bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_classes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE,
  source_based boolean NOT NULL DEFAULT true,  -- false: a target class (TargetClass/TargetSeverity)
  label_en text NOT NULL DEFAULT '',
  label_cs text NOT NULL DEFAULT '',
  reference text,                               -- URL
  displayed_main text[] NOT NULL DEFAULT '{}',
  displayed_source text[] NOT NULL DEFAULT '{}',
  displayed_target text[] NOT NULL DEFAULT '{}',
  rule text NOT NULL,                           -- CEL expression over the IDEA event
  priority integer NOT NULL DEFAULT 0,          -- higher first; the first matching class wins
  severity text NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  subclassing text,                             -- optional CEL expression giving the subclass
  state text NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'shadow', 'disabled')),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Exactly one row (id = true).
CREATE TABLE global_settings (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  fallback_emails text[] NOT NULL DEFAULT '{}',
  default_locale text NOT NULL DEFAULT 'en',
  default_timezone text NOT NULL DEFAULT 'UTC',
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO global_settings (id) VALUES (true);

-- Per-severity timing in seconds: per = report period, thr = suppression,
-- rel = relapse window (0 = no relapse). *_target are the target-pass variants.
CREATE TABLE reporting_timings (
  severity text PRIMARY KEY CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  per_seconds integer NOT NULL CHECK (per_seconds > 0),
  thr_seconds integer NOT NULL CHECK (thr_seconds >= 0),
  rel_seconds integer NOT NULL CHECK (rel_seconds >= 0 AND rel_seconds <= thr_seconds),
  thr_target_seconds integer NOT NULL CHECK (thr_target_seconds >= 0),
  rel_target_seconds integer NOT NULL CHECK (rel_target_seconds >= 0 AND rel_target_seconds <= thr_target_seconds),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- Mentat's defaults; info has no published values, so it uses low's timing.
INSERT INTO reporting_timings (severity, per_seconds, thr_seconds, rel_seconds, thr_target_seconds, rel_target_seconds) VALUES
  ('info',     86400, 518400, 172800, 518400, 172800),
  ('low',      86400, 518400, 172800, 518400, 172800),
  ('medium',    7200, 518400, 172800, 518400, 172800),
  ('high',       600,  86400,  43200,  86400,  43200),
  ('critical',   600,   7200,      0,   7200,      0);

-- Down Migration
DROP TABLE IF EXISTS reporting_timings;
DROP TABLE IF EXISTS global_settings;
DROP TABLE IF EXISTS event_classes;
DROP TABLE IF EXISTS detectors;
DROP TABLE IF EXISTS filters;
DROP TABLE IF EXISTS group_settings;
DROP TABLE IF EXISTS networks;
DROP TABLE IF EXISTS groups;
