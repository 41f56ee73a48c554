-- Up Migration
-- Mentat's current defaults (docs/schema.md, reporting_timings): info has its own timing
-- (per 1 day, thr 28 days, rel 7 days) and the target pass suppresses nothing (thr_target =
-- rel_target = 0). Only rows still holding the old seed change: a timing an operator set stays.
UPDATE reporting_timings
   SET per_seconds = 86400, thr_seconds = 2419200, rel_seconds = 604800, updated_at = now()
 WHERE severity = 'info' AND (per_seconds, thr_seconds, rel_seconds) = (86400, 518400, 172800);

UPDATE reporting_timings t
   SET thr_target_seconds = 0, rel_target_seconds = 0, updated_at = now()
  FROM (VALUES ('info', 518400, 172800), ('low', 518400, 172800), ('medium', 518400, 172800),
               ('high', 86400, 43200), ('critical', 7200, 0)) AS seed (severity, thr, rel)
 WHERE t.severity = seed.severity
   AND (t.thr_target_seconds, t.rel_target_seconds) = (seed.thr, seed.rel);

-- A group's mode NULL means "not set" and now reads as Mentat's default, extra; a mode a catalog
-- set stays as it is.
COMMENT ON COLUMN group_settings.mode IS 'NULL = not set: the reporter''s default, extra';

-- Down Migration
COMMENT ON COLUMN group_settings.mode IS NULL;
UPDATE reporting_timings t
   SET thr_target_seconds = seed.thr, rel_target_seconds = seed.rel, updated_at = now()
  FROM (VALUES ('info', 518400, 172800), ('low', 518400, 172800), ('medium', 518400, 172800),
               ('high', 86400, 43200), ('critical', 7200, 0)) AS seed (severity, thr, rel)
 WHERE t.severity = seed.severity AND (t.thr_target_seconds, t.rel_target_seconds) = (0, 0);
UPDATE reporting_timings
   SET per_seconds = 86400, thr_seconds = 518400, rel_seconds = 172800, updated_at = now()
 WHERE severity = 'info' AND (per_seconds, thr_seconds, rel_seconds) = (86400, 2419200, 604800);
