import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateDown, migrateUp, migrationFiles, migrationStatus } from '../../../db/migrate';
import { databaseUrlFor } from '../../support/database';

// An empty database (not the migrated template): the migrations run from scratch here, on
// whichever PostgreSQL the run uses (embedded by default, the machine's with HERALD_DATABASE_URL).
const name = `herald_migr_${process.pid}_${inject('testRunId')}`;
const url = databaseUrlFor(name);

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`)));
afterAll(() => admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)));

describe('schema migrations', () => {
  it('apply from scratch, report status, and are idempotent', async () => {
    const before = await migrationStatus(url);
    expect(before.every((m) => m.appliedAt === null)).toBe(true);
    const applied = await migrateUp(url);
    expect(applied).toEqual(migrationFiles());
    const after = await migrationStatus(url);
    expect(after.map((m) => m.name)).toEqual(migrationFiles());
    expect(after.every((m) => m.appliedAt !== null)).toBe(true);
    expect(await migrateUp(url)).toEqual([]);
  });

  it('roll back completely and apply again', async () => {
    const reverted = await migrateDown(url);
    expect(reverted).toEqual([...migrationFiles()].reverse());
    expect(await migrateUp(url)).toEqual(migrationFiles());
  });

  it('runs on the PostgreSQL server the run was given', async () => {
    const version = await admin((c) => c.query<{ server_version_num: string }>('SHOW server_version_num'));
    expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(140000);
  });
});
