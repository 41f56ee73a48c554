// A generated log with a baseline, a spike and a return to baseline, replayed with
// `herald monitor tail --from-start --until-eof` (the CLI as a child process), gives exactly the
// expected alert and recovered transitions with their bucket times; `monitor status --json` and
// `alerts list --json` report them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue } from '../../support/temporal';
import { cliEnv, monitorActivities, runCli, seedTransitions } from './helpers';

let db: TestDatabase;
let mail: MailCatcher;
let dir: string;
beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  dir = mkdtempSync(path.join(tmpdir(), 'herald-replay-'));
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('monitor tail --from-start --until-eof', () => {
  it('replays a baseline/spike/baseline log into exactly the expected transitions', async () => {
    const start = Date.parse('2026-03-01T08:00:00Z') / 1000;
    const log = generateAccessLog({
      start,
      seed: 42,
      phases: [
        { buckets: 40, hits: [3, 5] },
        { buckets: 6, hits: [15, 20] },
        { buckets: 40, hits: [3, 5] },
      ],
    });
    const file = path.join(dir, 'access.log');
    writeFileSync(file, `${log.lines.join('\n')}\n`);
    const expected = seedTransitions(log.perBucket, start);
    expect(expected.map((t) => t.state)).toEqual(['alert', 'recovered']);

    const source = `replay-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-cli');
    const env = cliEnv(db, taskQueue, dir);
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    await worker.run(async () => {
      const configure = await runCli(
        ['monitor', 'configure', '--source', source, '--recipients', 'soc@example.org', '--json'],
        env,
      );
      expect(configure.code, configure.stderr).toBe(0);
      expect(JSON.parse(configure.stdout)).toEqual({ source, recipients: ['soc@example.org'] });

      const tail = await runCli(
        ['monitor', 'tail', file, '--source', source, '--from-start', '--until-eof', '--json'],
        env,
      );
      expect(tail.stderr).toBe('');
      expect(tail.code).toBe(0);
      expect(JSON.parse(tail.stdout)).toMatchObject({ source, lines: log.lines.length, parseErrors: 0 });

      const status = await runCli(['monitor', 'status', '--source', source, '--json'], env);
      expect(status.code).toBe(0);
      const view = JSON.parse(status.stdout);
      expect(
        view.alerts.map(({ state, at, hits, average }: (typeof expected)[number]) => ({
          state,
          at,
          hits,
          average,
        })),
      ).toEqual(expected);
      expect(view).toMatchObject({
        source,
        alert: { active: false },
        totals: { hits: log.lines.length, parseErrors: 0, late: 0 },
        // The end of the newest bucket plus the allowed lateness (60 s): every bucket is closed.
        watermark: new Date((start + log.perBucket.length * 10 + 60) * 1000).toISOString(),
      });
      expect(view.window.hits).toBe(log.perBucket.slice(-12).reduce((a, b) => a + b, 0));

      // The transitions reach the alerts table (recorded by the workflow's activities).
      let alerts: { state: string; at: string; hits: number }[] = [];
      for (let i = 0; i < 50 && alerts.length < expected.length; i++) {
        const list = await runCli(['alerts', 'list', '--source', source, '--json'], env);
        expect(list.code).toBe(0);
        alerts = JSON.parse(list.stdout).alerts;
        if (alerts.length < expected.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(alerts.map((a) => [a.state, a.at, a.hits])).toEqual(
        expected.map((t) => [t.state, t.at, t.hits]).reverse(),
      );

      // Mailed once per transition to the recipients `monitor configure` stored.
      const mails = await mail.messages();
      expect(mails.map((m) => m.to)).toEqual([['soc@example.org'], ['soc@example.org']]);

      const text = await runCli(['monitor', 'status', '--source', source], env);
      expect(text.stdout).toContain(`access-log monitor ${source}`);
      expect(text.stdout).toContain('traffic normal');

      const missing = await runCli(['monitor', 'status', '--source', 'no-such-source', '--json'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/^herald: no monitor for source "no-such-source"/);
    });
  }, 120_000); // several CLI start-ups
});
