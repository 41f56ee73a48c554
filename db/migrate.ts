// Schema migrations with node-pg-migrate over plain SQL files in db/migrations (NNNN_name.sql,
// each with `-- Up Migration` and `-- Down Migration` sections).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { repoRoot } from '../config/paths';

export const migrationsDir = path.join(repoRoot, 'db', 'migrations');
const migrationsTable = 'pgmigrations';

export interface MigrationStatus {
  name: string;
  appliedAt: string | null;
}

/**
 * node-pg-migrate expects 13- or 17-digit timestamp prefixes and complains about our NNNN ones,
 * then orders them numerically anyway: that complaint is noise.
 */
const quietPrefixes = (log: (line: string) => void) => (line: string) => {
  if (!/^Can't determine timestamp for \d+$/.test(line)) log(line);
};

export async function migrateUp(
  databaseUrl: string,
  log: (line: string) => void = () => {},
): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable,
    checkOrder: true,
    singleTransaction: true,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: log, error: quietPrefixes(log) },
  });
  for (const migration of applied) log(`applied ${migration.name}`);
  return applied.map((migration) => migration.name);
}

export function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => file.replace(/\.sql$/, ''));
}

export async function migrationStatus(databaseUrl: string): Promise<MigrationStatus[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
      migrationsTable,
    ]);
    const applied = new Map<string, string>();
    if (exists.rows[0]?.present) {
      const rows = await client.query<{ name: string; run_on: Date }>(
        `SELECT name, run_on FROM ${migrationsTable}`,
      );
      for (const row of rows.rows) applied.set(row.name, row.run_on.toISOString());
    }
    return migrationFiles().map((name) => ({ name, appliedAt: applied.get(name) ?? null }));
  } finally {
    await client.end();
  }
}

/** Rolls back `count` migrations (all with Infinity); used by tests of the down migrations. */
export async function migrateDown(databaseUrl: string, count = Number.POSITIVE_INFINITY): Promise<string[]> {
  const reverted = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'down',
    count,
    migrationsTable,
    singleTransaction: true,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return reverted.map((migration) => migration.name);
}
