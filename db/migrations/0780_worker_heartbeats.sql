-- Up Migration
-- Each worker process's heartbeat, written every few seconds (worker/heartbeat.ts): what
-- `herald status` shows per worker. A worker not heard from in 30 s is unresponsive (stopped
-- with SIGSTOP, hung, killed, cut off); one that shut down gracefully sets stopped_at. Rows not
-- refreshed for a day are removed by the heartbeats of the workers still running.
CREATE TABLE worker_heartbeats (
  identity text PRIMARY KEY,            -- the Temporal worker identity, pid@host
  namespace text NOT NULL,
  task_queues text[] NOT NULL,
  version text NOT NULL,                -- herald's and the SDK's
  rss_bytes bigint NOT NULL,
  memory_limit_bytes bigint,            -- NULL: no limit
  activities_running integer NOT NULL,
  last_task_at timestamptz,             -- NULL: no task yet
  started_at timestamptz NOT NULL,
  heartbeat_at timestamptz NOT NULL,
  stopped_at timestamptz
);
CREATE INDEX worker_heartbeats_age_idx ON worker_heartbeats (heartbeat_at);

-- Down Migration
DROP TABLE IF EXISTS worker_heartbeats;
