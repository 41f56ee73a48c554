// Malformed and edge-case lines are hits or parse errors and never stop the tailer; a followed
// file is tracked across rotation (rename + new file) and truncation (copytruncate) without
// losing or double-counting a line.
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailAccessLog } from '../../../client/monitor/tailer';
import type { MonitorConfig } from '../../../domain/access-log/types';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { monitorActivities, monitorStatus } from './helpers';

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
beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  dir = mkdtempSync(path.join(tmpdir(), 'herald-monitor-'));
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const line = (client: string, time: string, request: string, status = 200, bytes = '512') =>
  `${client} - - [${time}] "${request}" ${status} ${bytes} "-" "test"\n`;

describe('tailer robustness', () => {
  it('counts edge-case lines as hits and malformed ones as parse errors, never crashing', async () => {
    const file = path.join(dir, 'edge.log');
    const t = '15/Jan/2026:10:00:01 +0000';
    const hits = [
      line('2001:db8::1', t, 'GET /ipv6/x HTTP/1.1'),
      line('crawler.example.net', t, 'GET /host HTTP/1.1'),
      line('192.0.2.1', t, 'GET / HTTP/1.1', 304, '-'),
      line('192.0.2.1', t, '-', 408, '-'),
      line('192.0.2.1', t, '', 400, '0'),
      `www.example.org:80 ${line('192.0.2.2', t, 'GET /vhost/a HTTP/1.1')}`,
      line('192.0.2.3', '15/Jan/2026:05:00:02 -0500', 'GET /zone HTTP/1.1').replace(
        '\n',
        ' "extra" "fields"\r\n',
      ),
    ];
    const garbage = [
      Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x80, 0x81, 0x0a]), // binary garbage
      Buffer.from(`${'A'.repeat(1024 * 1024)}\n`), // a 1 MB line
      Buffer.from(line('192.0.2.4', '15/Jan/2999:10:00:00 +0000', 'GET /future HTTP/1.1')),
      Buffer.from('"remotehost","rfc931","authuser","date","request","status","bytes"\n'),
      Buffer.from('192.0.2.5 - - [15/Jan/2026:10:00:03 +0000] "GET /truncated\n'),
    ];
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from(hits.slice(0, 3).join('')),
        ...garbage,
        Buffer.from(hits.slice(3).join('')),
      ]),
    );

    const source = `edge-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-edge');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    try {
      await worker.run(async () => {
        const summary = await tailAccessLog(
          { client, taskQueue, source, config },
          { file, format: 'combined', fromStart: true, untilEof: true },
        );
        expect(summary).toMatchObject({ lines: hits.length + garbage.length, parseErrors: garbage.length });
        const status = await monitorStatus(client, source);
        expect(status.totals).toMatchObject({ lines: 12, hits: 7, parseErrors: 5, bytes: 512 * 4 });
        expect(status.totals.status).toMatchObject({ '2xx': 4, '3xx': 1, '4xx': 2 });
        expect(status.topSections.map((s) => s.section).sort()).toEqual([
          '/',
          '/host',
          '/ipv6',
          '/vhost',
          '/zone',
        ]);
        expect(status.parseErrorSamples.map((s) => s.reason)).toEqual([
          'missing [timestamp]',
          'line too long (over 65536 bytes)',
          'timestamp in the future',
          'missing [timestamp]',
          'missing "request"',
        ]);
        expect(status.parseErrorSamples[1]!.excerpt).toBe('A'.repeat(200));
      });
    } finally {
      await close();
    }
  });

  it('follows a file across rotation and truncation, counting every line once', async () => {
    const file = path.join(dir, 'follow.log');
    let minute = 0;
    const lines = (n: number, section: string) => {
      let text = '';
      for (let i = 0; i < n; i++) {
        const s = String(minute++ % 60).padStart(2, '0');
        text += line('192.0.2.9', `15/Jan/2026:11:${s}:00 +0000`, `GET /${section}/${i} HTTP/1.1`);
      }
      return text;
    };
    writeFileSync(file, lines(5, 'first'));
    const source = `follow-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-follow');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    const abort = new AbortController();
    const waitForHits = async (hits: number) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const status = await monitorStatus(client, source).catch(() => null);
        if (status && status.totals.hits >= hits) return status;
        if (Date.now() > deadline)
          throw new Error(`monitor saw ${status?.totals.hits} hits, expected ${hits}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await worker.run(async () => {
        const tail = tailAccessLog(
          { client, taskQueue, source, config },
          {
            file,
            format: 'combined',
            fromStart: true,
            untilEof: false,
            flushIntervalMs: 50,
            pollIntervalMs: 25,
            signal: abort.signal,
          },
        );
        await waitForHits(5);
        appendFileSync(file, lines(3, 'first'));
        await waitForHits(8);
        // Rotation: the old file is renamed, the server still writes a line to it, a new file appears.
        renameSync(file, `${file}.1`);
        appendFileSync(`${file}.1`, lines(2, 'late-old'));
        writeFileSync(file, lines(4, 'second'));
        await waitForHits(14);
        // copytruncate: the file is emptied in place and written again (shorter than before).
        truncateSync(file, 0);
        await new Promise((r) => setTimeout(r, 200));
        appendFileSync(file, lines(1, 'third'));
        const status = await waitForHits(15);
        await new Promise((r) => setTimeout(r, 300));
        abort.abort();
        await tail;
        const final = await monitorStatus(client, source);
        expect(final.totals.hits).toBe(15);
        expect(final.topSections).toEqual(
          expect.arrayContaining([
            { section: '/first', hits: 8 },
            { section: '/late-old', hits: 2 },
            { section: '/second', hits: 4 },
            { section: '/third', hits: 1 },
          ]),
        );
        expect(status.committed.path).toBe(file);
      });
    } finally {
      abort.abort();
      await close();
    }
  });

  it('resumes in a file that was rotated away while the tailer was down, then reads the new file', async () => {
    const file = path.join(dir, 'restart.log');
    const lines = (n: number, section: string) =>
      Array.from({ length: n }, (_, i) =>
        line(
          '192.0.2.7',
          `15/Jan/2026:12:00:${String(i).padStart(2, '0')} +0000`,
          `GET /${section} HTTP/1.1`,
        ),
      ).join('');
    writeFileSync(file, lines(10, 'before'));
    const source = `restart-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-restart');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    const target = { client, taskQueue, source, config };
    try {
      await worker.run(async () => {
        // The first tailer stops after one batch of 4 lines.
        const abort = new AbortController();
        await tailAccessLog(target, {
          file,
          format: 'combined',
          fromStart: true,
          untilEof: false,
          batchLines: 4,
          signal: abort.signal,
          onFlush: () => abort.abort(),
        });
        expect((await monitorStatus(client, source)).totals.hits).toBe(4);
        // While it is down the server writes more, the log is rotated and a new file begins.
        appendFileSync(file, lines(3, 'before'));
        renameSync(file, `${file}.1`);
        writeFileSync(file, lines(5, 'after'));
        const logged: string[] = [];
        await tailAccessLog(target, {
          file,
          format: 'combined',
          fromStart: true,
          untilEof: true,
          log: (l) => logged.push(l),
        });
        expect(logged.join('\n')).toContain(`finishing ${file}.1 (rotated)`);
        const status = await monitorStatus(client, source);
        expect(status.totals.hits).toBe(18);
        expect(status.topSections).toEqual([
          { section: '/before', hits: 13 },
          { section: '/after', hits: 5 },
        ]);
        expect(status.committed.path).toBe(file);
      });
    } finally {
      await close();
    }
  });
});
