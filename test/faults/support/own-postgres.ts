// An embedded PostgreSQL cluster of the test's own (own data directory and port), migrated once
// into a template database that trials clone: a test can stop and start it without touching the
// run's shared cluster or the machine's PostgreSQL.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateUp } from '../../../db/migrate';
import {
  type EmbeddedCluster,
  embeddedUrl,
  startCluster,
  stopCluster,
} from '../../../scripts/dev/embedded-postgres';
import { freePort } from '../../../scripts/dev/processes';
import type { TrialDatabase } from './fault-trial';

const TEMPLATE = 'herald_fault_template';

export interface OwnPostgres {
  cluster: EmbeddedCluster;
  /** A new database cloned from the migrated template. */
  database(): Promise<TrialDatabase>;
  start(): Promise<void>;
  /** `immediate`: no checkpoint, open sessions cut off, crash recovery at the next start. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  destroy(): Promise<void>;
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-pg-fault-'));
  chmodSync(dir, 0o755); // the cluster runs as the postgres user when the tests run as root
  const cluster: EmbeddedCluster = { dataDir: path.join(dir, 'data'), port: await freePort() };
  const logFile = path.join(dir, 'postgres.log');
  await startCluster(cluster, logFile, TEMPLATE);
  await migrateUp(embeddedUrl(cluster, TEMPLATE));
  let counter = 0;
  const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: embeddedUrl(cluster, 'postgres') });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    cluster,
    async database() {
      const name = `herald_fault_${++counter}`;
      await admin((c) =>
        c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(TEMPLATE)}`),
      );
      const url = embeddedUrl(cluster, name);
      const pool = new pg.Pool({ connectionString: url, max: 5 });
      pool.on('error', () => {}); // idle clients cut off by a stop
      return {
        url,
        pool,
        drop: async () => {
          await pool.end();
          await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
        },
      };
    },
    start: () => startCluster(cluster, logFile, TEMPLATE),
    async stop(mode = 'immediate') {
      await stopCluster(cluster, mode);
    },
    async destroy() {
      await stopCluster(cluster, 'fast').catch(() => false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
