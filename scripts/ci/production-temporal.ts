// A Temporal server configured as production clusters run it, for CI: the server binary (not the
// dev server) with PostgreSQL persistence and SQL visibility on a PostgreSQL the machine runs,
// schemas set up with Temporal's SQL tool. Unlike the dev server's one SQLite process, its
// visibility and namespace caches lag behind writes, which is what herald has to live with.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import {
  ensureGoTool,
  onPath,
  TEMPORAL_SERVER,
  TEMPORAL_SERVER_VERSION,
  TEMPORAL_SQL_TOOL,
} from '../dev/go-tools';
import { freePort, waitForPort } from '../dev/processes';

export interface ProductionTemporalOptions {
  /** The PostgreSQL that holds Temporal's two databases: host, port, user (password if any). */
  postgresUrl: string;
  /** Names of the persistence and visibility databases; dropped and created afresh. */
  database: string;
  visibilityDatabase: string;
  /** Where the config and the server's log go. */
  workDir: string;
  log?: (line: string) => void;
}

export interface ProductionTemporal {
  address: string;
  logFile: string;
  stop(): Promise<void>;
}

/** The server module's source in the Go module cache: its schema files. */
function serverModuleDir(): string {
  const go = onPath('go');
  if (!go) throw new Error('Go is needed to find the Temporal server schemas (go mod download)');
  const out = execFileSync(
    go,
    ['mod', 'download', '-json', `go.temporal.io/server@${TEMPORAL_SERVER_VERSION}`],
    {
      encoding: 'utf8',
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    },
  );
  return (JSON.parse(out) as { Dir: string }).Dir;
}

function sqlTool(tool: string, pg: URL, database: string, args: string[]): void {
  execFileSync(
    tool,
    [
      '--plugin',
      'postgres12',
      '--endpoint',
      pg.hostname,
      '--port',
      pg.port || '5432',
      '--user',
      decodeURIComponent(pg.username) || 'postgres',
      ...(pg.password ? ['--password', decodeURIComponent(pg.password)] : []),
      '--database',
      database,
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

function setUpDatabase(tool: string, pg: URL, database: string, versionedDir: string): void {
  sqlTool(tool, pg, database, ['drop-database', '--force']);
  sqlTool(tool, pg, database, ['create-database']);
  sqlTool(tool, pg, database, ['setup-schema', '--version', '0.0']);
  sqlTool(tool, pg, database, ['update-schema', '--schema-dir', versionedDir]);
}

function datastore(pg: URL, database: string, maxConns: number) {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `${pg.hostname}:${pg.port || '5432'}`,
      connectProtocol: 'tcp',
      user: decodeURIComponent(pg.username) || 'postgres',
      password: decodeURIComponent(pg.password),
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

export async function startProductionTemporal(
  options: ProductionTemporalOptions,
): Promise<ProductionTemporal> {
  const log = options.log ?? (() => {});
  const [server, tool] = [
    await ensureGoTool(TEMPORAL_SERVER, log),
    await ensureGoTool(TEMPORAL_SQL_TOOL, log),
  ];
  const pg = new URL(options.postgresUrl);
  const schemas = path.join(serverModuleDir(), 'schema', 'postgresql', 'v12');
  setUpDatabase(tool, pg, options.database, path.join(schemas, 'temporal', 'versioned'));
  setUpDatabase(tool, pg, options.visibilityDatabase, path.join(schemas, 'visibility', 'versioned'));
  log(`Temporal schemas set up in ${options.database} and ${options.visibilityDatabase}`);

  const [frontend, frontendHttp, history, matching, worker] = await Promise.all(
    Array.from({ length: 5 }, () => freePort()),
  );
  // Membership ports are stored as smallint: below the kernel's ephemeral range.
  const membership: number[] = [];
  while (membership.length < 4) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!membership.includes(port) && (await portFree(port))) membership.push(port);
  }
  const rpc = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort ? { httpPort } : {}) },
  });
  mkdirSync(options.workDir, { recursive: true });
  const dynamicConfig = path.join(options.workDir, 'dynamic-config.yaml');
  // Nothing forced fresh: visibility and search-attribute caches behave as on a cluster.
  writeFileSync(dynamicConfig, '{}\n');
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(pg, options.database, 20),
        'postgres-visibility': datastore(pg, options.visibilityDatabase, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: rpc(frontend!, membership[0]!, frontendHttp),
      history: rpc(history!, membership[1]!),
      matching: rpc(matching!, membership[2]!),
      worker: rpc(worker!, membership[3]!),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfig, pollInterval: '10s' },
  };
  // The server reads <root>/<config dir>/<env>.yaml; JSON is YAML.
  writeFileSync(path.join(options.workDir, 'production.yaml'), JSON.stringify(config, null, 2));
  const logFile = path.join(options.workDir, 'temporal-server.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    server,
    ['--root', options.workDir, '--config', '.', '--env', 'production', '--allow-no-auth', 'start'],
    { stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${frontend}`;
  try {
    await waitForPort(frontend!, 'Temporal server (frontend)', 120_000);
    await waitUntilServing(address);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}; see ${logFile}`);
  }
  log(`Temporal server ${TEMPORAL_SERVER_VERSION} (PostgreSQL persistence, SQL visibility) at ${address}`);
  return {
    address,
    logFile,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The frontend answers before history and matching have joined: wait for the cluster to serve. */
async function waitUntilServing(address: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '5 seconds' });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.operatorService.listClusters({});
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      last = error;
      await sleep(500);
    }
  }
  throw new Error(`Temporal server at ${address} not serving after 120 s: ${(last as Error)?.message}`);
}

/**
 * Registers namespaces (idempotent) and herald's search attributes on each; waits until each can
 * be described, as a new namespace reaches the frontend's cache only on its next refresh.
 */
export async function registerNamespaces(
  address: string,
  namespaces: string[],
  setup: (connection: Connection, namespace: string) => Promise<void>,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    for (const namespace of namespaces) {
      try {
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
      } catch (error) {
        // ALREADY_EXISTS: registered by an earlier run.
        if ((error as { code?: number }).code !== 6) throw error;
      }
    }
    for (const namespace of namespaces) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await connection.workflowService.describeNamespace({ namespace });
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(500);
        }
      }
      await setup(connection, namespace);
    }
  } finally {
    await connection.close();
  }
}
