// The limit for ingest: PostgreSQL's COPY of the very rows herald stored (already converted:
// classes, groups, networks, the _Mentat JSON), streamed from the client like herald's own COPY,
// into an empty table with every index of an events partition. What herald adds on top is
// reading, validating, classifying and resolving the NDJSON, and registering the IDs.
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { copyColumns } from '../../db/events/copy-rows';

export interface CopyBaseline {
  seconds: number;
  rows: number;
  indexes: number;
}

export async function copyBaseline(url: string, workDir: string): Promise<CopyBaseline> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const file = path.join(workDir, 'copy-baseline.tsv');
  try {
    const columns = copyColumns.join(', ');
    // The converted rows, out of the database (not timed).
    await pipeline(
      client.query(copyTo(`COPY (SELECT ${columns} FROM events) TO STDOUT`)),
      createWriteStream(file),
    );
    // The indexes of the fullest partition, rewritten onto the empty table.
    const { rows: fullest } = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'events'::regclass ORDER BY c.reltuples DESC, c.relname LIMIT 1`,
    );
    const partition = fullest[0].relname as string;
    const { rows: indexes } = await client.query(
      'SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1',
      [partition],
    );
    await client.query('DROP TABLE IF EXISTS bench_copy');
    await client.query('CREATE TABLE bench_copy (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)');
    for (const [n, index] of indexes.entries())
      await client.query(
        (index.indexdef as string)
          .replace(`INDEX ${index.indexname} `, `INDEX bench_copy_${n} `)
          .replace(/ ON (?:ONLY )?(?:public\.)?\S+ USING /, ' ON bench_copy USING '),
      );
    const began = process.hrtime.bigint();
    const copy = client.query(copyFrom(`COPY bench_copy (${columns}) FROM STDIN`));
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), copy);
    const seconds = Number(process.hrtime.bigint() - began) / 1e9;
    await client.query('DROP TABLE bench_copy');
    return { seconds, rows: copy.rowCount, indexes: indexes.length };
  } finally {
    rmSync(file, { force: true });
    await client.end();
  }
}
