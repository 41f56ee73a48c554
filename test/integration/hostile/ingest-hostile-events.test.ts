// Hostile input: IDEA events from third-party detectors through the real ingest path
// (`herald events ingest`). Each line is either stored exactly as given (SQL metacharacters,
// CR/LF and header-like text, HTML and script in every string field, a 10 MB description,
// 10,000 IPs) or repaired and recorded (U+0000), or rejected with its line,
// the field and the reason (invalid UTF-8, IPs that are not IPs, lone surrogates, a line over
// 16 MiB); the lines after a rejected one are still stored.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shownValue } from '../../../domain/idea/shown-value';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { importDemoCatalogs } from '../store/helpers';
import {
  everyStringField,
  INJECT,
  manyIps,
  nestedJson,
  SCRIPT,
  SQL,
  textInTagFields,
} from './hostile-events';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(path.join(tmpdir(), 'herald-hostile-ingest-'));
const file = path.join(dir, 'hostile.ndjson');

const base = (id: string, extra: Record<string, unknown> = {}) => ({
  Format: 'IDEA0',
  ID: id,
  DetectTime: '2026-11-22T10:00:00Z',
  Category: ['Recon.Scanning'],
  Source: [{ IP4: ['192.0.2.99'] }],
  ...extra,
});
const bigDescription = `${SCRIPT}${'0123456789abcdef'.repeat(655_360)}${INJECT}`; // 10 MiB + a bit

// Line by line: the raw bytes and what must become of them.
// `rejected` is the exact reason, or a matcher where the text comes from V8.
type Expectation = { stored: string } | { rejected: unknown; id?: string };
const lines: { raw: Buffer; expect: Expectation }[] = [];
const add = (raw: string | Buffer, expectation: Expectation) =>
  lines.push({ raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw), expect: expectation });
const stored: Record<string, Record<string, unknown>> = {};
const addStored = (event: Record<string, unknown>) => {
  stored[event.ID as string] = event;
  add(JSON.stringify(event), { stored: event.ID as string });
};

addStored(everyStringField('sql-1', SQL, '192.0.2.10'));
addStored(everyStringField('crlf-1', INJECT, '192.0.2.11'));
addStored(everyStringField('html-1', SCRIPT, '192.0.2.12'));
add(JSON.stringify(textInTagFields('tag-1', INJECT)), {
  rejected: `Node[0].Name: ${shownValue(INJECT)} is not an IDEA tag (letters, digits, ".", "-" and "_" only)`,
  id: 'tag-1',
});
add(JSON.stringify(base(`sql-id';--`)), {
  rejected: `ID: "sql-id';--" is not an IDEA ID (letters, digits, ".", "-" and "_" only)`,
  id: `sql-id';--`,
});
add(JSON.stringify({ ...base('crlf-id\r\nBcc: x@evil.example') }), {
  rejected:
    'ID: "crlf-id\\r\\nBcc: x@evil.example" is not an IDEA ID (letters, digits, ".", "-" and "_" only)',
  id: 'crlf-id\r\nBcc: x@evil.example',
});
addStored(base('big-1', { Description: bigDescription }));
add(`${JSON.stringify(base('nested-1')).slice(0, -1)},"_Deep":${nestedJson(10_000)}}`, {
  rejected: '_Deep: nested deeper than 100 levels',
  id: 'nested-1',
});
add(`${JSON.stringify(base('nested-2')).slice(0, -1)},"_Deep":${nestedJson(98)}}`, { stored: 'nested-2' });
add(JSON.stringify(base('nul-1', { Description: 'scan\u0000ner', Note: '\u0000', 'ke\u0000y': 'v' })), {
  stored: 'nul-1',
});
add(
  Buffer.concat([
    Buffer.from('{"Format":"IDEA0","ID":"utf8-1","DetectTime":"2026-11-22T10:00:00Z","Description":"'),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
    Buffer.from('","Category":["Recon.Scanning"]}'),
  ]),
  { rejected: 'not valid UTF-8' },
);
add(JSON.stringify(base('surrogate-1', { Description: 'half \ud800 a pair' })), {
  rejected: 'Description: contains a lone UTF-16 surrogate (\\ud800)',
  id: 'surrogate-1',
});
const notIps: [string, 4 | 6][] = [
  ['999.1.1.1', 4],
  ['1.2.3.4/33', 4],
  ['1.2.3.4; DROP TABLE events', 4],
  ['10.0.0.5-10.0.0.1', 4],
  ['0x7f.0.0.1', 4],
  ['::gggg', 6],
  ['2001:db8::/129', 6],
  ['fe80::1%eth0', 6],
  ['192.0.2.1', 6],
];
for (const [i, [ip, family]] of notIps.entries())
  add(JSON.stringify(base(`ip-${i}`, { Source: [{ [`IP${family}`]: [ip] }] })), {
    rejected: `Source[0].IP${family}[0]: ${JSON.stringify(ip)} is not an IPv${family} address, network or range`,
    id: `ip-${i}`,
  });
add(
  '{"Format":"IDEA0","ID":"port-1","DetectTime":"2026-11-22T10:00:00Z","Category":["Recon.Scanning"],"Source":[{"Port":[1e400]}]}',
  {
    rejected: 'Source[0].Port[0]: expected integer, got Infinity',
    id: 'port-1',
  },
);
add('[{"Format":"IDEA0"}]', { rejected: 'not a JSON object' });
// Terminal escape sequences (clear screen, OSC 52 clipboard write) in an ID and in broken JSON.
add(JSON.stringify(base('esc-\u001b]52;c;cHduZWQ=\u0007')), {
  rejected:
    'ID: "esc-\\u001b]52;c;cHduZWQ=\\u0007" is not an IDEA ID (letters, digits, ".", "-" and "_" only)',
  id: 'esc-\u001b]52;c;cHduZWQ=\u0007',
});
add('{"ID":"esc-2","Description":"\u001b[2J\u001b[31m', {
  rejected: expect.stringMatching(
    /^not valid JSON: Bad control character in string literal in JSON at position \d+/,
  ),
});
addStored(base('many-ips-1', { Source: [{ IP4: manyIps(10_000), Port: [22] }] }));
add(`{"ID":"too-long","Description":"${'x'.repeat(17 * 2 ** 20)}"}`, {
  rejected: 'line is longer than 16 MiB',
});
// `__proto__` keys (JSON.parse makes them own properties) stay plain data: no prototype pollution,
// the event is kept as given.
add(
  `${JSON.stringify(base('proto-1')).slice(0, -1)},"__proto__":{"polluted":true},"Extra":{"constructor":{"prototype":{"polluted":true}}}}`,
  { stored: 'proto-1' },
);
stored['proto-1'] = JSON.parse(
  `${JSON.stringify(base('proto-1')).slice(0, -1)},"__proto__":{"polluted":true},"Extra":{"constructor":{"prototype":{"polluted":true}}}}`,
);
addStored(base('last-1'));

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

beforeAll(async () => {
  db = await freshDatabase();
  env = isolatedEnv({ HERALD_DATABASE_URL: db.url, HERALD_HOME: dir });
  // The default event classes and the demo networks: their CEL rules run over every hostile event.
  await importDemoCatalogs(db.pool);
  writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l.raw, Buffer.from('\n')])));
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile IDEA events through herald events ingest', () => {
  let summary: {
    accepted: number;
    rejected: number;
    duplicates: number;
    errors: { line: number; id?: string; message: string }[];
  };
  beforeAll(async () => {
    const result = await runCli(['events', 'ingest', file, '--json'], env, undefined, 300_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1); // some lines are rejected
    summary = JSON.parse(result.stdout);
  }, 320_000);

  it('rejects exactly the bad lines, each with its line number, field and reason, and stores the rest', () => {
    const expectedRejects = lines.flatMap((l, i) =>
      'rejected' in l.expect
        ? [{ line: i + 1, ...(l.expect.id && { id: l.expect.id }), message: l.expect.rejected }]
        : [],
    );
    expect(summary.errors).toEqual(expectedRejects);
    expect(summary).toMatchObject({
      accepted: lines.length - expectedRejects.length,
      rejected: expectedRejects.length,
      duplicates: 0,
    });
    const rejects = readFileSync(`${file}.rejects.ndjson`, 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(expectedRejects.length);
  });

  it('prints rejects in text mode on one line each, control characters escaped', async () => {
    const result = await runCli(
      ['events', 'ingest', file, '--rejects', path.join(dir, 'again.ndjson')],
      env,
      undefined,
      300_000,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    const lines = result.stdout.trim().split('\n');
    // summary, counts of what nothing reports, the rejects (at most 20, then "… more"), the rejects file
    expect(lines).toHaveLength(2 + Math.min(20, summary.rejected) + (summary.rejected > 20 ? 1 : 0) + 1);
    expect(result.stdout).toContain(
      '(esc-\\u001b]52;c;cHduZWQ=\\u0007): ID: "esc-\\u001b]52;c;cHduZWQ=\\u0007" is not an IDEA ID',
    );
    expect(result.stdout).toContain(
      '(crlf-id\\u000d\\u000aBcc: x@evil.example): ID: "crlf-id\\r\\nBcc: x@evil.example" is not an IDEA ID',
    );
  });

  it('stores SQL metacharacters, CR/LF header text, HTML and script exactly as given, in every field', async () => {
    for (const id of ['sql-1', 'crlf-1', 'html-1', 'proto-1', 'last-1']) {
      const { rows } = await db.pool.query(
        'SELECT event, description, node_names, protocols FROM events WHERE id = $1',
        [id],
      );
      expect(rows).toHaveLength(1);
      const { _Mentat, ...event } = rows[0].event;
      expect(event).toEqual(stored[id]);
      expect(rows[0].description).toBe(stored[id]!.Description ?? null);
    }
    const crlf = (
      await db.pool.query(
        `SELECT description, event->'Source'->0->'Hostname' AS hostnames FROM events WHERE id = 'crlf-1'`,
      )
    ).rows[0];
    expect(crlf).toEqual({ description: INJECT, hostnames: [INJECT] });
    // Nothing was executed: every stored line is there, and only those.
    const ids = (await db.pool.query('SELECT id FROM events ORDER BY id COLLATE "C"')).rows.map((r) => r.id);
    expect(ids).toEqual(lines.flatMap((l) => ('stored' in l.expect ? [l.expect.stored] : [])).sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('stores the 10 MB description, 99 levels of nesting and the 10,000 IPs whole', async () => {
    const big = (
      await db.pool.query(
        `SELECT length(description) AS chars, md5(description) AS text_md5, md5(event->>'Description') AS json_md5
           FROM events WHERE id = 'big-1'`,
      )
    ).rows[0];
    expect(big).toEqual({
      chars: bigDescription.length,
      text_md5: md5(bigDescription),
      json_md5: md5(bigDescription),
    });

    const nested = (
      await db.pool.query(`SELECT event #>> $1::text[] AS leaf FROM events WHERE id = 'nested-2'`, [
        ['_Deep', ...Array(98).fill('n')],
      ])
    ).rows[0];
    expect(nested.leaf).toBe('leaf');

    const many = (
      await db.pool.query(
        `SELECT cardinality(source_ips) AS ips, host(source_ip4_net) || '/' || masklen(source_ip4_net) AS net,
                '10.77.39.15'::inet = ANY(source_ips) AS has_last
           FROM events WHERE id = 'many-ips-1'`,
      )
    ).rows[0];
    expect(many).toEqual({ ips: 10_000, net: '10.77.0.0/18', has_last: true });
  });

  it('removes U+0000 (PostgreSQL cannot store it) and records where', async () => {
    const row = (
      await db.pool.query(`SELECT description, event, inspection_errors FROM events WHERE id = 'nul-1'`)
    ).rows[0];
    expect(row.description).toBe('scanner');
    expect(row.event).toMatchObject({ Description: 'scanner', Note: '', key: 'v' });
    expect(row.inspection_errors).toEqual([
      'U+0000 removed from Description',
      'U+0000 removed from Note',
      'U+0000 removed from key (key)',
    ]);
  });

  it('rejects a 10,000-level event in JSON documents too (a single object, an array element)', async () => {
    const deep = `${JSON.stringify(base('deep-doc')).slice(0, -1)},"_Deep":${nestedJson(10_000)}}`;
    const single = path.join(dir, 'single.json');
    const array = path.join(dir, 'array.json');
    writeFileSync(single, deep);
    writeFileSync(array, `[${JSON.stringify(base('array-ok'))},\n${deep}]`);
    const one = await runCli(['events', 'ingest', single, '--json'], env);
    expect(one.stderr).toBe('');
    expect(JSON.parse(one.stdout)).toMatchObject({
      accepted: 0,
      rejected: 1,
      errors: [{ line: 1, id: 'deep-doc', message: '_Deep: nested deeper than 100 levels' }],
    });
    const two = await runCli(['events', 'ingest', array, '--json'], env);
    expect(two.stderr).toBe('');
    expect(JSON.parse(two.stdout)).toMatchObject({
      accepted: 1,
      rejected: 1,
      errors: [{ line: 2, id: 'deep-doc', message: '_Deep: nested deeper than 100 levels' }],
    });
  });
});
