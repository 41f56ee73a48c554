// Nothing unreported without a trace: events with no group, no class, base-only addresses or a
// category outside the IDEA taxonomy are stored, counted by `events ingest` (text and --json),
// shown by `herald status` for the last day and found by `events search`; `events ingest`
// exits 1 when a record was rejected and 0 when all were stored or duplicates.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { idea, importDemoCatalogs, ingestValues } from './helpers';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-unreported-'));
const ndjson = (name: string, lines: unknown[]) => {
  const file = path.join(dir, name);
  writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n'));
  return file;
};

// Demo catalog: university-dorms owns 192.0.2.64/27, csirt-national only a base network over
// 192.0.2.0/24; 100.64.0.1 is nobody's.
const events = (prefix: string) => [
  idea({ ID: `${prefix}-miner`, Category: ['Suspicious.Miner'], Source: [{ IP4: ['192.0.2.70'] }] }),
  idea({ ID: `${prefix}-nobody`, Category: ['Recon.Scanning'], Source: [{ IP4: ['100.64.0.1'] }] }),
  idea({ ID: `${prefix}-base`, Category: ['Recon.Scanning'], Source: [{ IP4: ['192.0.2.200'] }] }),
  idea({ ID: `${prefix}-fine`, Category: ['Recon.Scanning'], Source: [{ IP4: ['192.0.2.70'] }] }),
];
// The CLI ingests below store as of a past day: status's last day and the searches from today
// see only the events stored in beforeAll.
const past = ['--storage-time', '2024-05-01T00:00:00Z'];
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({
    HERALD_DATABASE_URL: db.url,
    HERALD_HOME: dir,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
  });
  await importDemoCatalogs(db.pool);
  await ingestValues(db.pool, events('u'));
});
afterAll(async () => {
  await db?.drop();
});

const search = async (flag: string) => {
  const result = await runCli(['events', 'search', flag, '--from', today, '--json'], env);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout).events as { id: string }[]).map((e) => e.id).sort();
};

describe('events nothing may report', () => {
  it('are counted by ingest (text and --json), exit 0 when nothing was rejected', async () => {
    const text = await runCli(
      ['events', 'ingest', ndjson('clean.ndjson', events('c').slice(0, 2)), '--no-progress', ...past],
      env,
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      'clean.ndjson: 2 accepted, 0 duplicate(s), 0 rejected\n' +
        'of those stored: 1 with no group (--no-group), 1 with no class (--no-class), 0 base-only (--base-only), 1 with an unknown category (--unknown-category)\n',
    );
    const json = await runCli(
      ['events', 'ingest', ndjson('all.ndjson', events('j')), '--json', ...past],
      env,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      accepted: 4,
      duplicates: 0,
      rejected: 0,
      noGroup: 2,
      noClass: 1,
      baseOnly: 1,
      unknownCategory: 1,
    });
  });

  it('exits 1 on a file with one bad record, and still prints the summary', async () => {
    const file = ndjson('one-bad.ndjson', [idea({ ID: 'b-ok' }), '{"Format":"IDEA0","ID":"b-bad"}']);
    const result = await runCli(['events', 'ingest', file, '--no-progress', ...past], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('one-bad.ndjson: 1 accepted, 0 duplicate(s), 1 rejected\n');
    expect(result.stdout).toContain('  line 2 (b-bad): DetectTime: is required\n');
  });

  it('are found by events search --no-group / --no-class / --base-only / --unknown-category', async () => {
    expect(await search('--no-group')).toEqual(['u-base', 'u-nobody']);
    expect(await search('--no-class')).toEqual(['u-miner']);
    expect(await search('--base-only')).toEqual(['u-base']);
    expect(await search('--unknown-category')).toEqual(['u-miner']);
    const count = await runCli(['events', 'count', '--no-group', '--from', today, '--json'], env);
    expect(JSON.parse(count.stdout)).toEqual({ count: 2 });
  });

  it('are shown by herald status for the last day', async () => {
    const result = await runCli(['status', '--json'], env);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).unreported).toMatchObject({
      stored: 4,
      noGroup: 2,
      noClass: 1,
      baseOnly: 1,
      unknownCategory: 1,
    });
    const text = await runCli(['status'], env);
    expect(text.stdout).toMatch(
      /^ {2}4 stored: 2 with no group, 1 with no class, 1 base-only, 1 with an unknown category \(herald events search/m,
    );
  });
});
