// The local stack behind `herald dev up | down | status`: Temporal dev server, embedded
// PostgreSQL, Mailpit and worker, each started only when the environment does not already
// point at one. State lives in .herald/; the effective environment is written to .herald/dev.env.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { Connection } from '@temporalio/client';
import { setupNamespace } from '../../client/operations/temporal-setup';
import { heraldHome, repoRoot } from '../../config/paths';
import { migrateUp } from '../../db/migrate';
import {
  clusterRunning,
  type EmbeddedCluster,
  embeddedUrl,
  startCluster,
  stopCluster,
} from './embedded-postgres';
import { ensureGoTool, MAILPIT } from './go-tools';
import { logFile, portOpen, runningPid, spawnDetached, stopProcess, waitForPort } from './processes';
import { ensureTemporalCli } from './temporal-cli';
import { devServerArgs } from './temporal-server';

export const DEV_PORTS = {
  temporal: Number(process.env.HERALD_DEV_TEMPORAL_PORT ?? 7233),
  temporalUi: Number(process.env.HERALD_DEV_TEMPORAL_UI_PORT ?? 8233),
  postgres: Number(process.env.HERALD_DEV_POSTGRES_PORT ?? 5433),
  smtp: Number(process.env.HERALD_DEV_SMTP_PORT ?? 1025),
  mailWeb: Number(process.env.HERALD_DEV_MAIL_WEB_PORT ?? 1080),
};
const DEV_DATABASE = 'herald';

export type ComponentName = 'temporal' | 'postgres' | 'mail' | 'worker';
export type ComponentState = 'running' | 'stopped' | 'external';

export interface ComponentStatus {
  name: ComponentName;
  state: ComponentState;
  url: string | null;
  pid: number | null;
  log: string | null;
}

const devEnvFile = () => path.join(heraldHome(), 'dev.env');
const cluster = (): EmbeddedCluster => ({
  dataDir: path.join(heraldHome(), 'postgres'),
  port: DEV_PORTS.postgres,
});

/** Which components the user's own environment provides (then dev up leaves them alone). */
export function externalComponents(
  env: NodeJS.ProcessEnv,
): Record<'temporal' | 'postgres' | 'mail', boolean> {
  return {
    temporal: Boolean(env.TEMPORAL_ADDRESS),
    postgres: Boolean(env.HERALD_DATABASE_URL),
    mail: Boolean(env.HERALD_SMTP_URL),
  };
}

function effectiveEnv(userEnv: NodeJS.ProcessEnv): Record<string, string> {
  const external = externalComponents(userEnv);
  const env: Record<string, string> = {
    TEMPORAL_ADDRESS: external.temporal ? userEnv.TEMPORAL_ADDRESS! : `localhost:${DEV_PORTS.temporal}`,
    TEMPORAL_NAMESPACE: userEnv.TEMPORAL_NAMESPACE ?? 'default',
    TEMPORAL_UI_URL: userEnv.TEMPORAL_UI_URL ?? `http://localhost:${DEV_PORTS.temporalUi}`,
    HERALD_DATABASE_URL: external.postgres
      ? userEnv.HERALD_DATABASE_URL!
      : embeddedUrl(cluster(), DEV_DATABASE),
    HERALD_SMTP_URL: external.mail ? userEnv.HERALD_SMTP_URL! : `smtp://127.0.0.1:${DEV_PORTS.smtp}`,
  };
  if (!external.mail) env.HERALD_MAIL_UI_URL = `http://localhost:${DEV_PORTS.mailWeb}`;
  else if (userEnv.HERALD_MAIL_UI_URL) env.HERALD_MAIL_UI_URL = userEnv.HERALD_MAIL_UI_URL;
  env.HERALD_DEV_EXTERNAL = Object.entries(external)
    .filter(([, given]) => given)
    .map(([name]) => name)
    .join(',');
  return env;
}

export function readDevEnv(): Record<string, string> {
  if (!existsSync(devEnvFile())) return {};
  return parseEnv(readFileSync(devEnvFile(), 'utf8')) as Record<string, string>;
}

function writeDevEnv(env: Record<string, string>): void {
  mkdirSync(heraldHome(), { recursive: true });
  const lines = Object.entries(env).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  writeFileSync(
    devEnvFile(),
    `# Written by \`herald dev up\`: the local stack's environment. In a shell: set -a; . ${devEnvFile()}; set +a\n${lines.join('\n')}\n`,
    { mode: 0o600 },
  );
  // It may hold external URLs with passwords: readable by its owner only (also when it existed).
  chmodSync(devEnvFile(), 0o600);
}

async function startTemporal(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  if (runningPid('temporal') || (await portOpen(DEV_PORTS.temporal))) return;
  const cli = await ensureTemporalCli(log);
  mkdirSync(heraldHome(), { recursive: true });
  const args = devServerArgs({
    port: DEV_PORTS.temporal,
    uiPort: DEV_PORTS.temporalUi,
    namespace: env.TEMPORAL_NAMESPACE!,
    dbFile: path.join(heraldHome(), 'temporal.db'),
    // Registered by setupTemporal, as on any cluster.
    searchAttributes: false,
  });
  spawnDetached('temporal', cli, args);
  await waitForPort(DEV_PORTS.temporal, 'Temporal dev server', 120_000);
  await waitForPort(DEV_PORTS.temporalUi, 'Temporal Web UI', 60_000);
  log(`Temporal dev server started (UI ${env.TEMPORAL_UI_URL})`);
}

async function startMail(log: (line: string) => void): Promise<void> {
  if (runningPid('mail')) return;
  const mailpit = await ensureGoTool(MAILPIT, log);
  mkdirSync(heraldHome(), { recursive: true });
  spawnDetached('mail', mailpit, [
    '--smtp',
    `127.0.0.1:${DEV_PORTS.smtp}`,
    '--listen',
    `127.0.0.1:${DEV_PORTS.mailWeb}`,
    '--database',
    path.join(heraldHome(), 'mailpit.db'),
    // A dev stack keeps a few thousand mails (a demo cycle sends dozens), offline.
    '--max',
    '5000',
    '--disable-version-check',
    '--smtp-disable-rdns',
  ]);
  await waitForPort(DEV_PORTS.smtp, 'Mailpit (SMTP)', 30_000);
  await waitForPort(DEV_PORTS.mailWeb, 'Mailpit (web)', 30_000);
  log(`Mailpit started (web http://localhost:${DEV_PORTS.mailWeb})`);
}

/** herald's search attributes on the namespace (`herald temporal setup`), on a server we started or not. */
async function setupTemporal(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  const connection = await Connection.connect({
    address: env.TEMPORAL_ADDRESS!,
    connectTimeout: '10 seconds',
  });
  try {
    const result = await setupNamespace(connection.operatorService, env.TEMPORAL_NAMESPACE!);
    if (result.registered.length)
      log(`search attributes registered on namespace ${result.namespace}: ${result.registered.join(', ')}`);
    if (result.refused)
      log(
        `the operator API refused herald's search attributes (${result.refused.error}); run:\n    ${result.refused.commands.join('\n    ')}`,
      );
  } finally {
    await connection.close();
  }
}

async function startWorker(env: Record<string, string>, log: (line: string) => void): Promise<void> {
  if (runningPid('worker')) return;
  spawnDetached(
    'worker',
    process.execPath,
    [path.join(repoRoot, 'bin', 'herald'), 'worker'],
    { ...process.env, ...env },
    repoRoot,
  );
  log(`worker started (log ${logFile('worker')})`);
}

export interface DevUpOptions {
  worker?: boolean;
  log?: (line: string) => void;
}

export async function devUp(
  userEnv: NodeJS.ProcessEnv,
  options: DevUpOptions = {},
): Promise<ComponentStatus[]> {
  const log = options.log ?? (() => {});
  const external = externalComponents(userEnv);
  const env = effectiveEnv(userEnv);
  const tasks: Promise<void>[] = [];
  if (!external.temporal) tasks.push(startTemporal(env, log));
  if (!external.postgres) {
    tasks.push(
      (async () => {
        const wasRunning = await clusterRunning(cluster());
        await startCluster(cluster(), logFile('postgres'), DEV_DATABASE);
        if (!wasRunning)
          log(`embedded PostgreSQL started (port ${DEV_PORTS.postgres}, data ${cluster().dataDir})`);
      })(),
    );
  }
  if (!external.mail) tasks.push(startMail(log));
  await Promise.all(tasks);
  if (!external.temporal) await setupTemporal(env, log);
  const applied = await migrateUp(env.HERALD_DATABASE_URL!);
  if (applied.length) log(`database migrated (${applied.length} migration(s))`);
  writeDevEnv(env);
  if (options.worker !== false) await startWorker(env, log);
  return devStatus(userEnv);
}

export async function devDown(log: (line: string) => void = () => {}): Promise<void> {
  if (await stopProcess('worker', 30_000)) log('worker stopped');
  if (await stopProcess('mail')) log('Mailpit stopped');
  if (await stopCluster(cluster()).catch(() => false)) log('embedded PostgreSQL stopped');
  if (await stopProcess('temporal', 30_000)) log('Temporal dev server stopped');
}

export async function devStatus(userEnv: NodeJS.ProcessEnv): Promise<ComponentStatus[]> {
  const external = externalComponents(userEnv);
  const env = { ...effectiveEnv(userEnv), ...readDevEnv() };
  const pidState = (name: ComponentName): Pick<ComponentStatus, 'state' | 'pid'> => {
    const pid = runningPid(name);
    return { state: pid ? 'running' : 'stopped', pid: pid ?? null };
  };
  const temporal: ComponentStatus = external.temporal
    ? { name: 'temporal', state: 'external', pid: null, url: env.TEMPORAL_ADDRESS!, log: null }
    : { name: 'temporal', ...pidState('temporal'), url: env.TEMPORAL_UI_URL!, log: logFile('temporal') };
  const postgresRunning = !external.postgres && (await clusterRunning(cluster()));
  const postgres: ComponentStatus = external.postgres
    ? { name: 'postgres', state: 'external', pid: null, url: redact(env.HERALD_DATABASE_URL!), log: null }
    : {
        name: 'postgres',
        state: postgresRunning ? 'running' : 'stopped',
        pid: postgresRunning ? postmasterPid() : null,
        url: redact(env.HERALD_DATABASE_URL!),
        log: logFile('postgres'),
      };
  const mail: ComponentStatus = external.mail
    ? {
        name: 'mail',
        state: 'external',
        pid: null,
        url: env.HERALD_MAIL_UI_URL ?? redact(env.HERALD_SMTP_URL!),
        log: null,
      }
    : { name: 'mail', ...pidState('mail'), url: env.HERALD_MAIL_UI_URL!, log: logFile('mail') };
  const worker: ComponentStatus = {
    name: 'worker',
    ...pidState('worker'),
    url: null,
    log: logFile('worker'),
  };
  return [temporal, postgres, mail, worker];
}

function postmasterPid(): number | null {
  const file = path.join(cluster().dataDir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  return Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10) || null;
}

/** A URL without its password, for printing. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
