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

  it("keep a report's events when their storage changes to sets (0850) and back", async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const rows = async () =>
        (
          await db.query(
            `SELECT report_id::int, event_id, storage_time::text, host(ip) AS ip, relapsed
               FROM report_events ORDER BY event_id, ip`,
          )
        ).rows;
      const { rows: report } = await db.query<{ id: number }>(
        `INSERT INTO reports (label, report_key, run_id, group_name, severity, type, chain, fallback,
                              window_from, window_to, delta_seconds, evcount_rep, evcount_all, locale, timezone, template)
         VALUES ('m-1', 'm-1', 'run', 'g', 'low', 'summary', '{g}', '{}', now() - interval '1 hour', now(), 3600, 2, 2, 'en', 'UTC', 'default')
         RETURNING id::int`,
      );
      const id = report[0]!.id;
      await db.query(
        `INSERT INTO report_event_sets (report_id, ip, relapsed, event_ids, storage_times) VALUES
           ($1, '192.0.2.1', false, '{a,"b,\\"c"}', '{"2026-12-01 10:00:00+00","2026-12-01 10:00:01+00"}'),
           ($1, '2001:db8::1', true, '{a}', '{"2026-12-01 10:00:00+00"}')`,
        [id],
      );
      const before = await rows();
      expect(before).toHaveLength(3);
      expect(before.map((r) => r.event_id)).toContain('b,"c');

      expect(await migrateDown(url, 2)).toEqual(['0860_catalog_networks_version', '0850_report_event_sets']);
      expect(await rows()).toEqual(before);
      expect(await migrateUp(url)).toEqual(['0850_report_event_sets', '0860_catalog_networks_version']);
      expect(await rows()).toEqual(before);
      const { rows: sets } = await db.query('SELECT count(*)::int AS n FROM report_event_sets');
      expect(sets[0].n).toBe(2);
      await db.query('DELETE FROM reports WHERE id = $1', [id]);
      expect(await rows()).toEqual([]);
    } finally {
      await db.end();
    }
  });

  it('runs on the PostgreSQL server the run was given', async () => {
    const version = await admin((c) => c.query<{ server_version_num: string }>('SHOW server_version_num'));
    expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(140000);
  });
});
