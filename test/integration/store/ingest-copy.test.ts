// Ingest writes through a pool with COPY (text format) and through a single connection with one
// jsonb_to_recordset statement; both must store exactly the same rows, escapes and all.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestEvents } from '../../../db/events/ingest';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { canonicalEvents, idea, importDemoCatalogs, ingestValues } from './helpers';

let db: TestDatabase;
const storageTime = new Date('2024-05-01T10:00:00.123Z');

beforeAll(async () => {
  db = await freshDatabase();
  await importDemoCatalogs(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

const awkward = () => [
  ...canonicalEvents(),
  idea({
    ID: 'awkward.1',
    Description: 'line one\nline two\r\n\ttabbed \\N not null, {braces}, "quoted", ünïcödé ✓',
    Category: ['Recon.Scanning', 'Test'],
    Source: [
      { IP4: ['192.0.2.1', '198.51.100.16-198.51.100.23'], Port: [1, 65535], Proto: ['TCP', 'ssh'] },
      { IP6: ['2001:db8:100::1'], Type: ['Backscatter'] },
    ],
    Node: [{ Name: 'cz.example.copy', Type: ['Flow'] }],
    TLP: 'AMBER',
    _Mentat: { InspectionErrors: ['with, comma', 'with "quote" and {brace}', 'back\\slash', 'NULL', ''] },
  }),
];

async function storedRows(): Promise<unknown[]> {
  const { rows } = await db.pool.query('SELECT * FROM events ORDER BY id');
  return rows;
}

describe('ingest write paths', () => {
  it('stores the same rows with COPY (pool) as with jsonb_to_recordset (one connection)', async () => {
    const copied = await ingestValues(db.pool, awkward(), { storageTime });
    expect(copied.errors).toEqual([]);
    const viaCopy = await storedRows();
    expect(viaCopy.length).toBe(copied.accepted);
    expect(viaCopy.find((row) => (row as { id: string }).id === 'awkward.1')).toMatchObject({
      id: 'awkward.1',
      description: 'line one\nline two\r\n\ttabbed \\N not null, {braces}, "quoted", ünïcödé ✓',
      categories: ['Recon.Scanning', 'Test'],
      inspection_errors: ['with, comma', 'with "quote" and {brace}', 'back\\slash', 'NULL', ''],
      protocols: ['ssh', 'tcp'],
      event: expect.objectContaining({
        _Mentat: expect.objectContaining({ StorageTime: '2024-05-01T10:00:00.123000Z' }),
      }),
    });

    // As NDJSON lines (tabs between tokens, CRLF): the stored JSON is built from the input's text.
    await db.pool.query('TRUNCATE events, event_ids');
    async function* lines() {
      for (const [i, value] of awkward().entries())
        yield {
          line: i + 1,
          bytes: Buffer.from(`${JSON.stringify(value, null, '\t').replace(/\n/g, '')}\r`),
        };
    }
    expect(await ingestEvents(db.pool, lines(), { storageTime })).toEqual(copied);
    expect(await storedRows()).toEqual(viaCopy);

    await db.pool.query('TRUNCATE events, event_ids');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const inserted = await ingestValues(client, awkward(), { storageTime });
      expect(inserted).toEqual(copied);
    } finally {
      await client.end();
    }
    expect(await storedRows()).toEqual(viaCopy);
  });
});
