import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureEventPartitions, listEventPartitions } from '../../../db/events/partitions';
import { fetchEvent } from '../../../db/events/search';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { canonicalEvents, fixturesDir, idea, importDemoCatalogs, ingestValues } from './helpers';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-ingest-'));
const mixedFile = path.join(dir, 'mixed.ndjson');

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: dir });
  await importDemoCatalogs(db.pool);
  // Canonical events, then the malformed ones, one U+0000 event and one line of invalid UTF-8.
  const lines = [
    ...canonicalEvents().map((e) => Buffer.from(JSON.stringify(e))),
    ...readFileSync(path.join(fixturesDir, 'malformed.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => Buffer.from(l)),
    Buffer.from(readFileSync(path.join(fixturesDir, 'with-nul.ndjson'), 'utf8').trim()),
    Buffer.concat([
      Buffer.from('{"Format":"IDEA0","ID":"utf8-1","Description":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]),
    Buffer.from(''),
  ];
  writeFileSync(mixedFile, Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\r\n')])));
});
afterAll(async () => {
  await db?.drop();
});

const count = async (sql = 'SELECT count(*)::int AS n FROM events') => (await db.pool.query(sql)).rows[0].n;

describe('events ingest', () => {
  it('stores every canonical IDEA example and rejects malformed lines with line and reason (exit 1)', async () => {
    const result = await runCli(['events', 'ingest', mixedFile, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout);
    const canonical = canonicalEvents().length;
    expect(summary).toMatchObject({ accepted: canonical + 1, duplicates: 0, rejected: 10 });
    expect(summary.errors.map((e: { line: number }) => e.line)).toEqual([
      canonical + 1,
      canonical + 2,
      canonical + 3,
      canonical + 4,
      canonical + 5,
      canonical + 6,
      canonical + 7,
      canonical + 8,
      canonical + 9,
      canonical + 11,
    ]);
    expect(summary.errors[0]).toEqual({
      line: canonical + 1,
      id: 'bad-time-1',
      message:
        'DetectTime: "22.03.2014 10:12:31" is not an RFC 3339 timestamp (expected e.g. 2024-05-01T12:00:00Z)',
    });
    expect(summary.errors[1].message).toBe(
      'Category[0]: "port scan" is not an IDEA tag (letters, digits, ".", "-" and "_" only)',
    );
    expect(summary.errors[2]).toEqual({ line: canonical + 3, message: 'ID: is required' });
    expect(summary.errors[9]).toEqual({ line: canonical + 11, message: 'not valid UTF-8' });

    const ids = (await db.pool.query('SELECT id FROM events ORDER BY id')).rows.map((r) => r.id);
    for (const event of canonicalEvents()) expect(ids).toContain(event.ID);
    expect(ids).toContain('nul-1');

    const rejects = readFileSync(`${mixedFile}.rejects.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects).toHaveLength(10);
    expect(rejects[0]).toMatchObject({
      line: canonical + 1,
      id: 'bad-time-1',
      raw: expect.stringContaining('bad-time-1'),
    });
    expect(Buffer.from(rejects[9].raw_base64, 'base64').includes(Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  it('stores nothing new when the same file is ingested again and reports the duplicates', async () => {
    const before = await count();
    const result = await runCli(
      ['events', 'ingest', mixedFile, '--json', '--rejects', path.join(dir, 'again.rejects')],
      env,
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 0, duplicates: before, rejected: 10 });
    expect(await count()).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM event_ids')).toBe(before);
  });

  it('removes U+0000 instead of failing, and records it in inspection_errors', async () => {
    const stored = await fetchEvent(db.pool, 'nul-1');
    expect(stored?.description).toBe('scanner');
    const shown = await runCli(['events', 'show', 'nul-1'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ ID: 'nul-1', Description: 'scanner' });
    const row = (await db.pool.query(`SELECT inspection_errors FROM events WHERE id = 'nul-1'`)).rows[0];
    expect(row.inspection_errors).toEqual([
      'U+0000 removed from Description',
      'U+0000 removed from Source[0].Hostname[0]',
    ]);
  });

  it("classifies by the catalog rules unless _Mentat says; groups are always the catalog's", async () => {
    const result = await ingestValues(db.pool, [
      idea({
        ID: 'cls-1',
        Category: ['Attempt.Login'],
        Source: [{ IP4: ['192.0.2.70'] }],
        Target: [{ IP4: ['198.51.100.9'], Port: [22] }],
      }),
      idea({ ID: 'cls-2', Category: ['Recon.Scanning'], Source: [{ IP6: ['2001:db8:100::7'] }] }),
      idea({ ID: 'cls-3', Category: ['Recon.Scanning'], Source: [{ IP4: ['192.0.2.200'] }] }),
      idea({
        ID: 'cls-4',
        Category: ['Recon.Scanning'],
        Source: [{ IP4: ['192.0.2.70'] }],
        _Mentat: { EventClass: 'custom', EventSeverity: 'Critical', ResolvedAbuses: ['x'] },
      }),
    ]);
    expect(result).toMatchObject({ accepted: 4, rejected: 0 });
    const rows = (
      await db.pool.query(
        `SELECT id, event_class, event_severity, resolved_abuses, target_abuses, event->'_Mentat'->>'StorageTime' AS st
           FROM events WHERE id LIKE 'cls-%' ORDER BY id`,
      )
    ).rows;
    expect(rows.map(({ st, ...rest }) => rest)).toEqual([
      {
        id: 'cls-1',
        event_class: 'attempt-login-ssh',
        event_severity: 'medium',
        resolved_abuses: ['university-dorms'],
        target_abuses: ['isp-example'],
      },
      {
        id: 'cls-2',
        event_class: 'recon-scanning',
        event_severity: 'low',
        resolved_abuses: ['university'],
        target_abuses: [],
      },
      {
        id: 'cls-3',
        event_class: 'recon-scanning',
        event_severity: 'low',
        resolved_abuses: [],
        target_abuses: [],
      },
      {
        id: 'cls-4',
        event_class: 'custom',
        event_severity: 'critical',
        resolved_abuses: ['university-dorms'],
        target_abuses: [],
      },
    ]);
    expect(rows[0].st).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('counts a repeated ID inside one input as a duplicate and stamps --storage-time', async () => {
    const first = idea({ ID: 'twice-1' });
    const result = await ingestValues(db.pool, [first, { ...first, Description: 'second copy' }], {
      storageTime: new Date('2024-05-01T10:00:00Z'),
    });
    expect(result).toMatchObject({ accepted: 1, duplicates: 1 });
    const stored = await fetchEvent(db.pool, 'twice-1');
    expect(stored?.storageTime.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(stored?.description).toBeNull();
    expect((await listEventPartitions(db.pool)).map((p) => p.name)).toContain('events_20240501');
  });

  it("writes a batch's rows grouped by the report scope a severity run fetches them by", async () => {
    // Interleaved on input: two groups' sources, two severities, every row a different scope
    // from the one before it.
    const scopes = [
      { ip: '203.0.113.5', severity: 'low' },
      { ip: '192.0.2.70', severity: 'high' },
      { ip: '203.0.113.5', severity: 'high' },
      { ip: '192.0.2.70', severity: 'low' },
    ];
    const events = Array.from({ length: 40 }, (_, i) => {
      const { ip, severity } = scopes[i % scopes.length]!;
      return idea({ ID: `scope-order-${i}`, Source: [{ IP4: [ip] }], _Mentat: { EventSeverity: severity } });
    });
    const result = await ingestValues(db.pool, events, { storageTime: new Date('2024-06-02T10:00:00Z') });
    expect(result).toMatchObject({ accepted: 40 });
    const { rows } = await db.pool.query<{ id: string; scope: string }>(
      `SELECT id, event_severity || ':' || array_to_string(resolved_abuses, ',') AS scope
         FROM events_20240602 WHERE id LIKE 'scope-order-%' ORDER BY ctid`,
    );
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.scope)).size).toBe(4);
    const changes = rows.filter((r, i) => i > 0 && r.scope !== rows[i - 1]!.scope).length;
    expect(changes).toBe(3);
    // Within a scope, the input's order.
    const lowNational = rows.filter((r) => r.scope === rows[0]!.scope).map((r) => Number(r.id.split('-')[2]));
    expect(lowNational).toEqual([...lowNational].sort((a, b) => a - b));
  });

  it('stores each ID once when two ingests of the same events run at the same time', async () => {
    const events = Array.from({ length: 3000 }, (_, i) => idea({ ID: `race-${i}` }));
    const [a, b] = await Promise.all([
      ingestValues(db.pool, events, { batchSize: 250 }),
      ingestValues(db.pool, [...events].reverse(), { batchSize: 250 }),
    ]);
    expect(a.accepted + b.accepted).toBe(3000);
    expect(a.duplicates + b.duplicates).toBe(3000);
    expect(await count(`SELECT count(*)::int AS n FROM events WHERE id LIKE 'race-%'`)).toBe(3000);
  });

  it('keeps rows of a day without a partition in the default partition and moves them when it is created', async () => {
    // Bypass ingest's partition creation: write straight into the parent table.
    await db.pool.query(
      `INSERT INTO events (id, storage_time, detect_time, categories, event)
       VALUES ('orphan-1', '2023-02-03T04:05:06Z', '2023-02-03T04:00:00Z', '{Other}', '{}')`,
    );
    expect(await count(`SELECT count(*)::int AS n FROM events_default WHERE id = 'orphan-1'`)).toBe(1);
    expect(await ensureEventPartitions(db.pool, new Date('2023-02-03T00:00:00Z'))).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM events_default`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM events_20230203 WHERE id = 'orphan-1'`)).toBe(1);
    expect(await ensureEventPartitions(db.pool, new Date('2023-02-03T00:00:00Z'))).toBe(0);
  });

  it('fails with one line when the input cannot be read or parsed at all', async () => {
    const missing = await runCli(['events', 'ingest', path.join(dir, 'nope.ndjson')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`herald: ${path.join(dir, 'nope.ndjson')}: cannot read (ENOENT)`);
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '[{"Format": "IDEA0",');
    const parsed = await runCli(['events', 'ingest', broken], env);
    expect(parsed.code).toBe(1);
    expect(parsed.stderr.trim().split('\n')).toHaveLength(1);
    expect(parsed.stderr).toMatch(
      /^herald: .*broken\.json: the file ends inside the JSON array \(truncated\?\)$/m,
    );
  });

  it('reads a JSON array and stdin', async () => {
    const arrayFile = path.join(dir, 'array.json');
    // Streamed element by element: a broken element is rejected, the others are stored.
    const elements = [
      JSON.stringify(idea({ ID: 'arr-1' })),
      JSON.stringify(idea({ ID: 'arr-2', Category: ['No pe'] })),
    ];
    writeFileSync(arrayFile, `[\n  ${elements.join(',\n  ')},\n  {"Format": IDEA0}\n]\n`);
    const fromFile = await runCli(['events', 'ingest', arrayFile, '--json'], env);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({
      accepted: 1,
      rejected: 2,
      errors: [
        {
          line: 2,
          id: 'arr-2',
          message: 'Category[0]: "No pe" is not an IDEA tag (letters, digits, ".", "-" and "_" only)',
        },
        { line: 3, message: expect.stringMatching(/^not valid JSON: /) },
      ],
    });
    const fromStdin = await runCli(
      ['events', 'ingest', '-', '--json', '--rejects', path.join(dir, 'stdin.rejects')],
      env,
      `${JSON.stringify(idea({ ID: 'stdin-1' }))}\n${JSON.stringify(idea({ ID: 'arr-1' }))}\n`,
    );
    expect(fromFile.code).toBe(1);
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    expect(fromStdin.code).toBe(0);
  });
});
