// The tailer (`herald monitor tail` as a child process) is killed with SIGKILL at
// random points and restarted, 10 times; the monitor's final totals equal the file's line count
// and its transitions equal an uninterrupted replay: nothing lost, nothing counted twice.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { cliEnv, monitorActivities, monitorStatus, runCli, seedTransitions } from './helpers';

let db: TestDatabase;
let mail: MailCatcher;
let dir: string;
beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  dir = mkdtempSync(path.join(tmpdir(), 'herald-kill-'));
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tailer killed at random points', () => {
  it('10 SIGKILLs and restarts: final totals equal the line count, nothing counted twice', async () => {
    const start = Date.parse('2026-02-01T00:00:00Z') / 1000;
    const log = generateAccessLog({ start, seed: 11 });
    const file = path.join(dir, 'access.log');
    writeFileSync(file, `${log.lines.join('\n')}\n`);
    const source = `kill-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-kill');
    const env = cliEnv(db, taskQueue, dir);
    const args = [
      'monitor',
      'tail',
      file,
      '--source',
      source,
      '--from-start',
      '--until-eof',
      '--batch-lines',
      '40',
      '--verbose',
    ];
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    try {
      await worker.run(async () => {
        const killedAt: number[] = [];
        for (let trial = 0; trial < 10; trial++) {
          // Kill after a random number of acknowledged flushes plus a random delay, so some kills
          // land between sending a batch and its acknowledgement.
          const afterFlushes = 1 + Math.floor(Math.random() * 4);
          const delayMs = Math.floor(Math.random() * 25);
          let armed = true;
          const run = await runCli(args, env, (stderr, kill) => {
            if (armed && (stderr.match(/^flushed /gm)?.length ?? 0) >= afterFlushes) {
              armed = false;
              setTimeout(kill, delayMs);
            }
          });
          expect(run.signal, `trial ${trial}: ${run.stderr}`).toBe('SIGKILL');
          killedAt.push((await monitorStatus(client, source)).committed.offset);
        }
        // The kills happened at increasing offsets inside the file, never at its end.
        expect(killedAt).toEqual([...killedAt].sort((a, b) => a - b));
        expect(killedAt.at(-1)!).toBeLessThan(Buffer.byteLength(log.lines.join('\n')));

        const last = await runCli(args, env);
        expect(last.code, last.stderr).toBe(0);
        const status = await monitorStatus(client, source);
        expect(status.totals).toMatchObject({
          lines: log.lines.length,
          hits: log.lines.length,
          parseErrors: 0,
          late: 0,
        });
        expect(status.alerts.map(({ state, at, hits, average }) => ({ state, at, hits, average }))).toEqual(
          seedTransitions(log.perBucket, start),
        );
      });
    } finally {
      await close();
    }
  }, 180_000); // 11 CLI start-ups; slow on a busy 2-core machine
});
