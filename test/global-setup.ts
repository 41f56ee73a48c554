// One Temporal dev server and one PostgreSQL for the whole test run (or the ones given by
// TEMPORAL_ADDRESS / HERALD_DATABASE_URL), a migrated template database that each test file
// clones, and one prebuilt workflow bundle.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { setupNamespace } from '../client/operations/temporal-setup';
import { heraldHome, repoRoot } from '../config/paths';
import { migrateUp } from '../db/migrate';
import { registerNamespaces, startProductionTemporal } from '../scripts/ci/production-temporal';
import {
  createDatabaseIfMissing,
  type EmbeddedCluster,
  embeddedUrl,
  startCluster,
  stopCluster,
} from '../scripts/dev/embedded-postgres';
import { freePort, waitForPort } from '../scripts/dev/processes';
import { ensureTemporalCli } from '../scripts/dev/temporal-cli';
import { devServerArgs } from '../scripts/dev/temporal-server';
import './support/provided';

const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
/** More than there are test files: each file gets a namespace of its own (test/support/namespace.ts). */
const TEST_NAMESPACES = Array.from({ length: 80 }, (_, i) => `herald-test-${i + 1}`);
/** The production-configured server runs a few chosen files (.ci/run): a namespace each, registered one by one. */
const PRODUCTION_TEST_NAMESPACES = 12;

/**
 * HERALD_TEST_TEMPORAL=production: the Temporal server binary with PostgreSQL persistence and SQL
 * visibility (scripts/ci/production-temporal.ts) on HERALD_TEST_TEMPORAL_POSTGRES instead of the
 * dev server, with fewer namespaces (each registered and set up as an operator would).
 */
async function startProductionServer(): Promise<{
  address: string;
  namespaces: string[];
  stop: () => Promise<void>;
}> {
  const postgresUrl =
    process.env.HERALD_TEST_TEMPORAL_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const prefix = process.env.HERALD_TEST_TEMPORAL_DATABASE ?? `herald_temporal_${runId}`;
  const server = await startProductionTemporal({
    postgresUrl,
    database: prefix,
    visibilityDatabase: `${prefix}_visibility`,
    workDir: path.join(heraldHome(), 'test', `temporal-production-${runId}`),
    log: (line) => console.error(line),
  });
  const namespaces = TEST_NAMESPACES.slice(0, PRODUCTION_TEST_NAMESPACES);
  try {
    await registerNamespaces(server.address, ['default', ...namespaces], async (connection, namespace) => {
      await setupNamespace(connection.operatorService, namespace);
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    address: server.address,
    namespaces,
    stop: async () => {
      await server.stop();
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      for (const database of [prefix, `${prefix}_visibility`])
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
      await admin.end();
      rmSync(path.join(heraldHome(), 'test', `temporal-production-${runId}`), {
        recursive: true,
        force: true,
      });
    },
  };
}

async function startTemporal(): Promise<{
  address: string;
  namespaces: string[];
  stop: () => Promise<void>;
}> {
  if (process.env.HERALD_TEST_TEMPORAL === 'production') return startProductionServer();
  if (process.env.TEMPORAL_ADDRESS) {
    return { address: process.env.TEMPORAL_ADDRESS, namespaces: [], stop: async () => {} };
  }
  const cli = await ensureTemporalCli((line) => console.error(line));
  const port = await freePort();
  const child: ChildProcess = spawn(
    cli,
    devServerArgs({ port, namespace: 'default', extraNamespaces: TEST_NAMESPACES }),
    {
      stdio: ['ignore', 'ignore', 'ignore'],
    },
  );
  await waitForPort(port, 'Temporal dev server', 120_000);
  return {
    address: `127.0.0.1:${port}`,
    namespaces: TEST_NAMESPACES,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

async function startPostgres(): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  if (process.env.HERALD_DATABASE_URL)
    return { adminUrl: process.env.HERALD_DATABASE_URL, stop: async () => {} };
  // A cluster of this run's own: test runs may overlap (several terminals, CI), so none shares one.
  const root = path.join(heraldHome(), 'test');
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const cluster: EmbeddedCluster = { dataDir: path.join(root, `postgres-${runId}`), port: await freePort() };
  await startCluster(cluster, path.join(root, `postgres-${runId}.log`), 'postgres');
  return {
    adminUrl: embeddedUrl(cluster, 'postgres'),
    stop: async () => {
      await stopCluster(cluster);
      rmSync(cluster.dataDir, { recursive: true, force: true });
      rmSync(path.join(root, `postgres-${runId}.log`), { force: true });
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  // One failing to start must not leave the other running after the run.
  const [startedTemporal, startedPostgres] = await Promise.allSettled([startTemporal(), startPostgres()]);
  if (startedTemporal.status === 'rejected' || startedPostgres.status === 'rejected') {
    if (startedTemporal.status === 'fulfilled') await startedTemporal.value.stop();
    if (startedPostgres.status === 'fulfilled') await startedPostgres.value.stop();
    throw startedTemporal.status === 'rejected'
      ? startedTemporal.reason
      : (startedPostgres as PromiseRejectedResult).reason;
  }
  const [temporal, postgres] = [startedTemporal.value, startedPostgres.value];
  const template = `herald_tmpl_${runId}`;
  await createDatabaseIfMissing(postgres.adminUrl, template);
  await migrateUp(withDatabase(postgres.adminUrl, template));

  const bundle = await bundleWorkflowCode({
    workflowsPath: path.join(repoRoot, 'workflows', 'index.ts'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const bundleDir = path.join(heraldHome(), 'test');
  mkdirSync(bundleDir, { recursive: true });
  const workflowBundlePath = path.join(bundleDir, `workflow-bundle-${runId}.js`);
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', process.env.TEMPORAL_NAMESPACE ?? 'default');
  project.provide('testNamespaces', temporal.namespaces);
  project.provide('adminDatabaseUrl', postgres.adminUrl);
  project.provide('templateDatabase', template);
  project.provide('testRunId', runId);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    // Drop every database this run created, then stop what we started: the servers are stopped
    // even when the clean-up fails (a server left running would outlive the test run).
    try {
      const admin = new pg.Client({ connectionString: postgres.adminUrl });
      await admin.connect();
      const own = await admin.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE '%' || $1",
        [runId],
      );
      for (const { datname } of own.rows) {
        await admin
          .query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`)
          .catch(() => {});
      }
      await admin.end();
    } finally {
      await Promise.all([temporal.stop(), postgres.stop()]);
      rmSync(workflowBundlePath, { force: true });
      rmSync(path.join(bundleDir, `namespace-claims-${runId}`), { recursive: true, force: true });
    }
  };
}
