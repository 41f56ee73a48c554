-- Up Migration
-- Access-log monitor: per-source settings and every alert transition the monitors decided.
CREATE TABLE monitor_sources (
  source      text PRIMARY KEY CHECK (source <> ''),
  recipients  text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alerts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source           text NOT NULL,
  state            text NOT NULL CHECK (state IN ('alert', 'recovered')),
  -- End of the bucket whose close caused the transition.
  at               timestamptz NOT NULL,
  hits             integer NOT NULL,
  average          double precision NOT NULL,
  rule             text NOT NULL,
  threshold        double precision NOT NULL,
  window_seconds   integer NOT NULL,
  workflow_id      text,
  recorded_at      timestamptz NOT NULL DEFAULT now(),
  mailed_at        timestamptz,
  mail_message_id  text,
  mailed_to        text[],
  -- A retried activity records the same transition once.
  CONSTRAINT alerts_transition_unique UNIQUE (source, at, state)
);

CREATE INDEX alerts_source_at ON alerts (source, at DESC);

-- Down Migration
DROP TABLE IF EXISTS alerts;
DROP TABLE IF EXISTS monitor_sources;
