// Hostile input: access-log lines from the internet — binary garbage and 1 MB lines
// through both parsers, and through the real tailer into the monitor workflow (Temporal): they
// are counted as parse errors, the good lines around them are counted as hits, nothing crashes.
// Long request paths are cut to 128-character sections and over-long client fields are parse
// errors, so a batch of such lines cannot outgrow Temporal's payload limit (it did: the update
// carrying 50 distinct 60 kB sections was refused and the tailer stopped).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailAccessLog } from '../../../client/monitor/tailer';
import { parseCombinedLine } from '../../../domain/access-log/parse-combined';
import { parseCsvLine } from '../../../domain/access-log/parse-csv';
import { newParsedLine } from '../../../domain/access-log/parsed-line';
import type { MonitorConfig } from '../../../domain/access-log/types';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { monitorActivities, monitorStatus } from '../monitor/helpers';

const config: MonitorConfig = {
  refresh: 10,
  window: 120,
  threshold: 10,
  rule: 'above-average',
  allowedLateness: 0,
};
let db: TestDatabase;
let mail: MailCatcher;
let dir: string;

/** Deterministic binary garbage (every byte value, newlines excluded). */
function garbage(bytes: number, seed: number): Buffer {
  const out = Buffer.alloc(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = x % 256 === 10 ? 0 : x % 256;
  }
  return out;
}
const time = '22/Nov/2026:10:00:01 +0000';
const good = (i: number) => `192.0.2.${i} - - [${time}] "GET /ok/${i} HTTP/1.1" 200 100 "-" "agent"`;

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  dir = mkdtempSync(path.join(tmpdir(), 'herald-hostile-log-'));
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile access-log lines', () => {
  it('parsers return a reason for binary garbage and 1 MB lines, never throw', () => {
    const out = newParsedLine();
    const mb = 2 ** 20;
    const hostile = [
      garbage(mb, 1).toString('utf8'),
      garbage(4096, 2).toString('latin1'),
      'A'.repeat(mb),
      `192.0.2.1 - - [${time}] "GET /${'a'.repeat(mb)} HTTP/1.1" 200 1 "-" "x"`.replace('200 1', '200 x'),
      `${'['.repeat(mb)}`,
      `"${'"'.repeat(mb)}`,
      `${'1'.repeat(mb)},"-","-",1549573860,"GET / HTTP/1.0",200,1`,
    ];
    for (const line of hostile) {
      expect(parseCombinedLine(line, out)).not.toBe('ok');
      expect(typeof parseCsvLine(line, out)).toBe('string');
    }
  });

  it('cuts a 1 MB request path to a 128-character section; a 100 kB client name is a malformed line', () => {
    const out = newParsedLine();
    const longPath = `/${'p'.repeat(2 ** 20)}/rest`;
    expect(parseCombinedLine(`192.0.2.1 - - [${time}] "GET ${longPath} HTTP/1.1" 200 1 "-" "x"`, out)).toBe(
      'ok',
    );
    expect(out.section!.length).toBe(128);
    expect(out.section!.startsWith('/ppp')).toBe(true);
    const longHost = `${'h'.repeat(100_000)}.example`;
    expect(parseCombinedLine(`${longHost} - - [${time}] "GET / HTTP/1.1" 200 1 "-" "x"`, out)).toBe(
      'bad client field',
    );
    expect(parseCsvLine(`"${longHost}","-","-",1549573860,"GET / HTTP/1.0",200,1`, out)).toBe(
      'bad client field',
    );
  });

  it('tails garbage and 1 MB lines as parse errors, keeps the good lines, and survives 2,000 distinct 60 kB paths', async () => {
    const file = path.join(dir, 'hostile.log');
    const longPaths = Array.from(
      { length: 2000 },
      (_, i) => `192.0.2.200 - - [${time}] "GET /${i}${'x'.repeat(60_000)} HTTP/1.1" 200 1 "-" "agent"`,
    );
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(`${good(1)}\n`),
        garbage(300_000, 3), // binary garbage without a newline for 300 kB: over the line cap
        Buffer.from('\n'),
        Buffer.from(`${'B'.repeat(2 ** 20)}\n`), // a 1 MB line
        garbage(500, 4),
        Buffer.from('\n'),
        Buffer.from(`${good(2)}\n`),
        Buffer.from(`${longPaths.join('\n')}\n`),
        Buffer.from(`${good(3)}\n`),
      ]),
    );
    const source = `hostile-${Date.now()}`;
    const taskQueue = randomTaskQueue('hostile-log');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    try {
      await worker.run(async () => {
        const summary = await tailAccessLog(
          { client, taskQueue, source, config },
          { file, format: 'combined', fromStart: true, untilEof: true },
        );
        expect(summary).toMatchObject({ lines: 3 + 3 + longPaths.length, parseErrors: 3 });
        const status = await monitorStatus(client, source);
        expect(status.totals).toMatchObject({
          lines: 3 + 3 + longPaths.length,
          hits: 3 + longPaths.length,
          parseErrors: 3,
        });
        for (const s of status.topSections) expect(s.section.length).toBeLessThanOrEqual(128);
      });
    } finally {
      await close();
    }
  }, 240_000);
});
