// The stack a benchmark run talks to: its own Temporal dev server and embedded PostgreSQL in a
// temporary HERALD_HOME (or the ones TEMPORAL_ADDRESS / HERALD_DATABASE_URL name), one prebuilt
// workflow bundle, and scratch databases that are dropped at the end.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import { repoRoot } from '../../config/paths';
import { migrateUp } from '../../db/migrate';
import {
  type EmbeddedCluster,
  embeddedUrl,
  startCluster,
  stopCluster,
} from '../../scripts/dev/embedded-postgres';
import { freePort, waitForPort } from '../../scripts/dev/processes';
import { ensureTemporalCli } from '../../scripts/dev/temporal-cli';
import { devServerArgs } from '../../scripts/dev/temporal-server';

export interface BenchStack {
  temporalAddress: string;
  adminUrl: string;
  bundlePath: string;
  home: string;
  /**
   * A reporting window end (a multiple of 600 s, in the past) used by no other cycle of this run:
   * severity workflow ids are report:<group>:<severity>:<window end>, and every dataset has the
   * same group names, so two cycles with one window end would refuse each other's children.
   */
  nextTimeHigh(): string;
  /** A new migrated database; dropped by close(). */
  scratchDatabase(label: string): Promise<{ url: string; name: string }>;
  close(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function startStack(log: (line: string) => void): Promise<BenchStack> {
  // Temp dirs live under /tmp (world-traversable) so the embedded cluster can run as `postgres`.
  const home = mkdtempSync(path.join(tmpdir(), 'herald-bench-home-'));
  chmodSync(home, 0o755);
  const stops: (() => Promise<void>)[] = [];

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const cli = await ensureTemporalCli(log);
    const port = await freePort();
    const child: ChildProcess = spawn(cli, devServerArgs({ port, namespace: 'default' }), {
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    stops.push(async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    });
    await waitForPort(port, 'Temporal dev server', 120_000);
    temporalAddress = `127.0.0.1:${port}`;
    log(`Temporal dev server on ${temporalAddress}`);
  }

  let adminUrl = process.env.HERALD_DATABASE_URL;
  if (!adminUrl) {
    const cluster: EmbeddedCluster = { dataDir: path.join(home, 'postgres'), port: await freePort() };
    await startCluster(cluster, path.join(home, 'postgres.log'), 'postgres');
    stops.push(async () => {
      await stopCluster(cluster);
    });
    adminUrl = embeddedUrl(cluster, 'postgres');
    log(`embedded PostgreSQL on port ${cluster.port}`);
  }

  const { code } = await bundleWorkflowCode({
    workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const bundlePath = path.join(home, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);

  const created: string[] = [];
  const runId = Date.now().toString(36);
  const firstTimeHigh = Math.floor(Date.now() / 600_000) * 600_000 - 600_000;
  let cycles = 0;
  return {
    nextTimeHigh: () => new Date(firstTimeHigh - 600_000 * cycles++).toISOString(),
    temporalAddress,
    adminUrl,
    bundlePath,
    home,
    async scratchDatabase(label) {
      const name = `herald_bench_${label}_${runId}_${created.length}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      created.push(name);
      const url = withDatabase(adminUrl!, name);
      await migrateUp(url);
      return { url, name };
    },
    async close() {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect().then(
        async () => {
          for (const name of created)
            await admin
              .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`)
              .catch(() => {});
          await admin.end();
        },
        () => {},
      );
      for (const stop of stops.reverse()) await stop().catch(() => {});
      rmSync(home, { recursive: true, force: true });
    },
  };
}
