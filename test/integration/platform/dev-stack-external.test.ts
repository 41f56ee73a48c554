// `herald dev up` with TEMPORAL_ADDRESS, HERALD_DATABASE_URL and HERALD_SMTP_URL already set starts
// none of its own components: it migrates the given database and records the given endpoints.
import { chmodSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationFiles } from '../../../db/migrate';
import { createDatabaseIfMissing } from '../../../scripts/dev/embedded-postgres';
import { isolatedEnv, runCli } from '../../support/cli';
import { databaseUrlFor } from '../../support/database';

const home = mkdtempSync(path.join(tmpdir(), 'herald-dev-ext-'));
chmodSync(home, 0o755);
const database = `herald_ext_${process.pid}_${inject('testRunId')}`;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  await createDatabaseIfMissing(inject('adminDatabaseUrl'), database);
  env = isolatedEnv({
    HERALD_HOME: home,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    HERALD_DATABASE_URL: databaseUrlFor(database),
    HERALD_SMTP_URL: 'smtp://127.0.0.1:2525',
  });
});

afterAll(async () => {
  await runCli(['dev', 'down'], env);
});

describe('herald dev up with endpoints given by the environment', () => {
  it('uses them instead of starting its own', async () => {
    const up = await runCli(['dev', 'up', '--no-worker', '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const { components } = JSON.parse(up.stdout) as {
      components: { name: string; state: string; url: string }[];
    };
    const byName = Object.fromEntries(components.map((c) => [c.name, c]));
    expect(byName.temporal).toMatchObject({ state: 'external', url: inject('temporalAddress') });
    expect(byName.postgres?.state).toBe('external');
    expect(byName.postgres?.url).toContain(`/${database}`);
    expect(byName.mail).toMatchObject({ state: 'external', url: 'smtp://127.0.0.1:2525' });
    expect(byName.worker?.state).toBe('stopped');

    const devEnv = readFileSync(path.join(home, 'dev.env'), 'utf8');
    expect(devEnv).toContain(`HERALD_DATABASE_URL="${databaseUrlFor(database)}"`);
    expect(devEnv).toContain(`TEMPORAL_ADDRESS="${inject('temporalAddress')}"`);
    // It may hold passwords of the given URLs: its owner's only.
    expect(statSync(path.join(home, 'dev.env')).mode & 0o777).toBe(0o600);

    // The given database was migrated.
    const client = new pg.Client({ connectionString: databaseUrlFor(database) });
    await client.connect();
    const applied = await client.query<{ name: string }>('SELECT name FROM pgmigrations ORDER BY id');
    await client.end();
    expect(applied.rows.map((r) => r.name)).toEqual(migrationFiles());
  });
});
