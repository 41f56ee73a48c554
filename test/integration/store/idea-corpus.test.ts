// Real IDEA events from public projects (test/fixtures/idea/public/PROVENANCE.md): each event the
// IDEA0 schema accepts is stored, each one it refuses is rejected with its line and the failing
// field (expected-rejections.json lists them; every other line is schema-valid).
import { createReadStream, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../db/events/ingest';
import { ndjsonRecords } from '../../../db/events/read-records';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fixturesDir, importDemoCatalogs } from './helpers';

const corpusDir = path.join(fixturesDir, 'public');
const expected: Record<string, Record<string, string>> = JSON.parse(
  readFileSync(path.join(corpusDir, 'expected-rejections.json'), 'utf8'),
);
const files = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.ndjson'))
  .sort();
const linesOf = (file: string) =>
  readFileSync(path.join(corpusDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');

let db: TestDatabase;

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

describe('the public IDEA corpus', () => {
  it('lists every file of the directory, and holds the shapes a fixed category list would refuse', () => {
    expect(Object.keys(expected).sort()).toEqual(files);
    const all = files.flatMap(linesOf).join('\n');
    for (const shape of [
      '"Malware"]',
      '"Suspicious.Miner"',
      '"Suspicious.Booter"',
      '"Malware.Ransomware"',
      '"Availibility.DDoS"',
      '"DetectTime": "2022-04-28 13:08:46+02:00"',
      '"StorageTime": 1466508305',
    ])
      expect(all).toContain(shape);
  });

  it.each(files)(
    '%s: stores every schema-valid event, rejects the others with line and field',
    async (file) => {
      const lines = linesOf(file);
      const rejections = expected[file] ?? {};
      const summary = await ingestEvents(
        db.pool,
        ndjsonRecords(createReadStream(path.join(corpusDir, file))),
        {
          maxErrors: 10_000,
        },
      );
      expect(Object.fromEntries(summary.errors.map((e) => [String(e.line), e.message]))).toEqual(rejections);
      for (const error of summary.errors) expect(error.message).not.toMatch(/undefined/);
      const valid = lines.filter((_, i) => rejections[String(i + 1)] === undefined);
      expect(summary.rejected).toBe(lines.length - valid.length);
      // Some projects reuse one ID for several test events: the first is stored, the rest are duplicates.
      expect(summary.accepted + summary.duplicates).toBe(valid.length);
      const ids = valid.map((line) => JSON.parse(line).ID as string);
      const stored = await db.pool.query<{ id: string }>('SELECT id FROM event_ids WHERE id = ANY($1)', [
        ids,
      ]);
      expect(new Set(stored.rows.map((r) => r.id))).toEqual(new Set(ids));
    },
  );

  it('the CLI prints the rejections with their lines and exits 1 for a file with refused events', async () => {
    const env = isolatedEnv({ HERALD_DATABASE_URL: db.url });
    const file = 'nemea-modules-report2idea-readme.ndjson';
    const result = await runCli(
      [
        'events',
        'ingest',
        path.join(corpusDir, file),
        '--no-progress',
        '--rejects',
        path.join(mkdtempSync(path.join(tmpdir(), 'herald-corpus-')), 'rejects.ndjson'),
      ],
      env,
    );
    expect(result.code).toBe(1);
    // Stored here or by the test above, whichever ran first: 14 valid events either way.
    expect(result.stdout).toMatch(
      new RegExp(`^${file}: (14 accepted, 0|0 accepted, 14) duplicate\\(s\\), 4 rejected$`, 'm'),
    );
    expect(result.stdout).toContain('  line 1 (');
    expect(result.stdout).toContain('): Target[0].Port: expected array, got 22');
  });
});
