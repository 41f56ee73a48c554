// The operator CLI on the real stack (Temporal dev server, PostgreSQL, SMTP catcher), the
// CLI run as a child process and its --json output checked:
//   rerun: a two-day period → one re-run group run per window, marked
//     HeraldRunKind=rerun, mails only to the test address, the scheduled cursors unchanged;
//     without --yes and without a terminal it refuses (exit 2) and starts nothing.
//   force: --mode none on a running run → the severity not yet rendered sends nothing;
//     stored on the schedule with --until; an expired --until is ignored by the workflow; the update
//     validator refuses a bad mode.
//   status, runs list, history export, replay and an unreachable Temporal.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ledgerCursors } from '../../../db/reporting/ledger';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import {
  forceOverridesUpdate,
  type GroupProgress,
  heraldGroupKey,
  heraldRunKindKey,
  progressQuery,
  type ReportGroupResult,
  severityProgressQuery,
} from '../../../workflows/report-messages';
import { heraldBin } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { randomTaskQueue, startTestWorker, testClient } from '../../support/temporal';
import { until } from '../../support/until';
import { cliEnv, herald } from '../reporting/cli';
import { alignedPast, reportingActivities, seedCatalog, storeEvents } from '../reporting/support';

const DAY = 86_400_000;
const MIN = 60_000;
const suffix = randomUUID().slice(0, 6);
const uni = `uni-${suffix}`;
const fg = `fg-${suffix}`;
const high = ['high'] as const;

let db: TestDatabase;
let mail: MailCatcher;
let home: string;
let client: Client;
let closeClient: () => Promise<void>;
let env: NodeJS.ProcessEnv;
const taskQueue = randomTaskQueue('operating');
let stopWorker: () => Promise<void>;

beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
  home = mkdtempSync(path.join(tmpdir(), 'herald-operating-'));
  ({ client, close: closeClient } = await testClient());
  env = { ...cliEnv(db.url, taskQueue, home), HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath') };
  await seedCatalog(db.pool, {
    groups: [
      {
        name: uni,
        networks: [{ network: '192.0.2.0/24' }],
        emails: { info: ['abuse@uni.test'], low: ['abuse@uni.test'], high: ['abuse@uni.test'] },
      },
      { name: fg, networks: [{ network: '198.51.100.0/24' }], emails: { high: ['abuse@fg.test'] } },
    ],
  });
  stopWorker = await startTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
}, 60_000);

afterAll(async () => {
  await stopWorker?.();
  await closeClient?.();
  await mail?.close();
  await db?.drop();
  rmSync(home, { recursive: true, force: true });
});

async function visible(query: string, count: number): Promise<string[]> {
  let ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    ids = [];
    for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
    if (ids.length >= count) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return ids.sort();
}

describe('rerun', () => {
  // The period lies wholly before the first run's windows: [D − 2 days, D), D = yesterday 00:00 UTC.
  const D = Math.floor(Date.now() / DAY) * DAY - DAY;
  const from = new Date(D - 2 * DAY).toISOString();
  const to = new Date(D).toISOString();

  it('refuses to send without --yes when stdin is not a terminal, and starts nothing', async () => {
    const r = await herald(['rerun', '--group', uni, '--from', from, '--to', to], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`re-run of group ${uni}`);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      'herald: refusing to send without confirmation: stdin is not a terminal; add --yes to proceed',
    );
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM report_runs');
    expect(rows[0].n).toBe(0);
  });

  it('re-reports a two-day period as one re-run per window and leaves the cursors alone', async () => {
    // A regular run first: its cursors are what the schedule continues from.
    await client.workflow.execute('reportGroup', {
      taskQueue,
      workflowId: `report:${uni}:run:first:${suffix}`,
      args: [{ group: uni, timeHigh: alignedPast(0).toISOString(), runKind: 'schedule' }],
    });
    const cursorsBefore = await ledgerCursors(db.pool, uni);
    expect(Object.keys(cursorsBefore).sort()).toEqual(['critical', 'high', 'info', 'low', 'medium']);

    await storeEvents(
      db.pool,
      [{ group: uni, severity: 'low', ip: '192.0.2.10' }],
      new Date(D - 2 * DAY + 3_600_000),
    );
    await storeEvents(
      db.pool,
      [{ group: uni, severity: 'high', ip: '192.0.2.11' }],
      new Date(D - DAY + 7_200_000),
    );
    mail.clear();

    const r = await herald(
      [
        'rerun',
        '--group',
        uni,
        '--from',
        from,
        '--to',
        to,
        '--mail-test-mode',
        '--mail-to',
        'ops@csirt.test',
        '--wait',
        '--yes',
        '--json',
      ],
      env,
    );
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.plan).toMatchObject({ group: uni, windowSeconds: 86_400, mailTestMode: true, events: 2 });
    expect(out.plan.severities.find((s: { severity: string }) => s.severity === 'low')).toEqual({
      severity: 'low',
      events: 1,
      recipients: ['ops@csirt.test'],
    });
    expect(out.windows.map((w: { window: unknown }) => w.window)).toEqual([
      { from, to: new Date(D - DAY).toISOString() },
      { from: new Date(D - DAY).toISOString(), to },
    ]);
    expect(out.windows.map((w: { reports: number }) => w.reports)).toEqual([1, 1]);

    // One group run per window, and its severity runs, all marked as re-runs.
    const groupRuns = await visible(
      `WorkflowType = 'reportGroup' AND HeraldGroup = '${uni}' AND HeraldRunKind = 'rerun'`,
      2,
    );
    expect(groupRuns).toEqual(out.windows.map((w: { workflowId: string }) => w.workflowId).sort());
    expect(
      await visible(
        `WorkflowType = 'reportSeverity' AND HeraldGroup = '${uni}' AND HeraldRunKind = 'rerun'`,
        10,
      ),
    ).toHaveLength(10);
    const ledger = await db.pool.query(
      `SELECT count(*)::int AS n FROM report_runs WHERE group_name = $1 AND run_kind = 'rerun'`,
      [uni],
    );
    expect(ledger.rows[0].n).toBe(10);

    const mails = await mail.messages();
    expect(mails).toHaveLength(2);
    for (const m of mails) expect(m.envelopeTo).toEqual(['ops@csirt.test']);
    expect(await ledgerCursors(db.pool, uni)).toEqual(cursorsBefore);
  }, 60_000);

  it('runs list shows the re-runs with their ledger counters', async () => {
    const r = await herald(['runs', 'list', '--group', uni, '--json'], env);
    expect(r.code).toBe(0);
    const runs = JSON.parse(r.stdout).runs as {
      type: string;
      runKind: string;
      status: string;
      counters: { all: number } | null;
      window: unknown;
    }[];
    const severityReruns = runs.filter((x) => x.type === 'reportSeverity' && x.runKind === 'rerun');
    expect(severityReruns).toHaveLength(10);
    expect(severityReruns.every((x) => x.status === 'COMPLETED' && x.window !== null)).toBe(true);
    expect(severityReruns.reduce((n, x) => n + (x.counters?.all ?? 0), 0)).toBe(2);
    expect(runs.filter((x) => x.type === 'reportRerun')).toHaveLength(1);
  });
});

describe('force', () => {
  // Group runs of fg with explicit time_h must come in time order (each continues the cursor).
  it('--mode none on a running run: the severity not yet rendered sends nothing', async () => {
    const T = alignedPast(300);
    await storeEvents(
      db.pool,
      [{ group: fg, severity: 'high', ip: '198.51.100.7' }],
      new Date(T.getTime() - 5 * MIN),
    );
    mail.clear();
    // An open writer transaction holds the fetch at the window fence (docs/mentat.md, "Late writers") while we force.
    const writer = await db.pool.connect();
    let workflowId: string;
    try {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open', now())");
      // Started as `herald run` starts it (tested in the reporting suite), without a CLI spawn.
      workflowId = `report:${fg}:run:${T.toISOString()}:${suffix}`;
      await client.workflow.start('reportGroup', {
        taskQueue,
        workflowId,
        args: [{ group: fg, timeHigh: T.toISOString(), severities: [...high], runKind: 'adhoc' }],
        typedSearchAttributes: [
          { key: heraldGroupKey, value: fg },
          { key: heraldRunKindKey, value: 'adhoc' },
        ],
      });
      const handle = client.workflow.getHandle(workflowId);
      // The held writer keeps the group's quiet-window check waiting (10 s) and then the severity
      // run's one step at the fence: force while that step is in flight, the case a one-step run
      // once ignored (it took only the options it started with).
      const child = await until('the high severity run to start', async () => {
        const p = await handle.query(progressQuery).catch(() => ({}) as GroupProgress);
        return p.high?.workflowId;
      });
      // The dashboard shows the live stage of the running run.
      const status = await herald(['status', '--json'], env);
      expect(status.code).toBe(0);
      const dashboard = JSON.parse(status.stdout);
      expect(dashboard.running).toContainEqual(
        expect.objectContaining({
          workflowId,
          group: fg,
          progress: { high: expect.objectContaining({ stage: 'fetch' }) },
        }),
      );

      const forced = await herald(
        ['force', '--group', fg, '--mode', 'none', '--workflow-id', workflowId, '--json'],
        env,
      );
      expect(forced.stderr).toBe('');
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toMatchObject({
        group: fg,
        overrides: { mode: 'none' },
        signalled: [{ workflowId, overrides: { mode: 'none' } }],
        schedule: 'no-schedule',
      });
      // The group run passes the override on by signal, and the severity run records it for its
      // step (report_run_overrides): from then on its render must use it. Let the fetch go on.
      await until('the override recorded for the running step', async () => {
        const { rows } = await db.pool.query<{ mode: string }>(
          "SELECT options->'force'->>'mode' AS mode FROM report_run_overrides WHERE run_id = $1",
          [child],
        );
        return rows[0]?.mode === 'none' ? true : undefined;
      });
      const stage = await client.workflow.getHandle(child).query(severityProgressQuery);
      expect(stage.stage).toBe('fetch');
    } finally {
      await writer.query('ROLLBACK');
      writer.release();
    }
    const result = (await client.workflow.getHandle(workflowId).result()) as ReportGroupResult;
    expect(result.severities.high).toMatchObject({
      result: 'reported',
      reports: [{ type: 'summary', to: [] }],
    });
    expect(await mail.messages()).toHaveLength(0);
    const outbox = await db.pool.query(
      'SELECT count(*)::int AS n FROM report_outbox o JOIN reports r ON r.id = o.report_id WHERE r.group_name = $1',
      [fg],
    );
    expect(outbox.rows[0].n).toBe(0);
  }, 90_000);

  it('validates before sending: the CLI and the workflow update validator refuse a bad mode', async () => {
    const bad = await herald(['force', '--group', fg, '--timezone', 'Mars/Olympus'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'herald: --timezone: "Mars/Olympus" is not an IANA time zone (e.g. Europe/Prague)\n',
    );
    const T = alignedPast(200);
    const writer = await db.pool.connect();
    try {
      await writer.query('BEGIN');
      await writer.query("INSERT INTO event_ids (id, storage_time) VALUES ('held-open-2', now())");
      const handle = await client.workflow.start('reportGroup', {
        taskQueue,
        workflowId: `report:${fg}:validator:${suffix}`,
        args: [{ group: fg, timeHigh: T.toISOString(), severities: [...high] }],
      });
      await expect(
        handle.executeUpdate(forceOverridesUpdate, { args: [{ mode: 'loud' as 'none' }] }),
      ).rejects.toMatchObject({
        message: 'Workflow Update failed',
        cause: { message: 'mode: expected one of summary, extra, both, none, got "loud"' },
      });
      await writer.query('ROLLBACK');
      await handle.result();
    } finally {
      writer.release();
    }
  }, 60_000);

  it('stores overrides on the schedule until --until, and an expired --until is ignored', async () => {
    const scheduleId = `report:${fg}`;
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 hour' }] },
      state: { paused: true },
      action: {
        type: 'startWorkflow',
        workflowType: 'reportGroup',
        taskQueue,
        args: [{ group: fg, runKind: 'schedule' }],
      },
    });
    try {
      const until = new Date(Date.now() + DAY).toISOString();
      const r = await herald(['force', '--group', fg, '--mode', 'none', '--until', until, '--json'], env);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ schedule: 'updated', until, signalled: [] });
      const args = ((await client.schedule.getHandle(scheduleId).describe()).action as { args: unknown[] })
        .args;
      expect(args[0]).toEqual({ group: fg, runKind: 'schedule', force: { mode: 'none' }, forceUntil: until });
      const cleared = await herald(['force', '--group', fg, '--clear', '--json'], env);
      expect(JSON.parse(cleared.stdout)).toMatchObject({ schedule: 'cleared' });
      const after = ((await client.schedule.getHandle(scheduleId).describe()).action as { args: unknown[] })
        .args;
      expect(after[0]).toEqual({ group: fg, runKind: 'schedule' });
    } finally {
      await client.schedule.getHandle(scheduleId).delete();
    }
    // A run whose nominal time is past `forceUntil` ignores the stored mode: it mails as usual.
    const T = alignedPast(100);
    await storeEvents(
      db.pool,
      [{ group: fg, severity: 'high', ip: '198.51.100.8' }],
      new Date(T.getTime() - 5 * MIN),
    );
    mail.clear();
    await client.workflow.execute('reportGroup', {
      taskQueue,
      workflowId: `report:${fg}:expired:${suffix}`,
      args: [
        {
          group: fg,
          timeHigh: T.toISOString(),
          severities: [...high],
          force: { mode: 'none' },
          forceUntil: new Date(T.getTime() - MIN).toISOString(),
        },
      ],
    });
    const mails = await mail.messages();
    expect(mails.map((m) => m.envelopeTo)).toEqual([['abuse@fg.test']]);
  }, 60_000);
});

describe('status, history export and replay', () => {
  it('status --json: reachability, our worker on the task queue and the runlog per group', async () => {
    const r = await herald(['status', '--json'], env);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.temporal.reachable).toBe(true);
    expect(d.postgres.reachable).toBe(true);
    expect(d.taskQueue).toBe(taskQueue);
    expect(d.pollers.map((p: { kind: string }) => p.kind).sort()).toEqual(['activity', 'mail', 'workflow']);
    const group = d.runlog.groups.find((g: { group: string }) => g.group === uni);
    expect(group).toMatchObject({ processed: 2, new: 2, reports: 2 });
    expect(d.runlog.total.processed).toBeGreaterThanOrEqual(2);
  });

  it('status --watch --json prints one refreshed document per line until interrupted', async () => {
    const child = spawn(process.execPath, [heraldBin, 'status', '--watch', '--json', '--interval', '0.5'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${lines.length} snapshots in 30 s`)), 30_000);
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        const parts = buffer.split('\n');
        buffer = parts.pop()!;
        lines.push(...parts.filter(Boolean));
        if (lines.length >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const closed = new Promise<number | null>((r) => child.on('close', r));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    const [a, b] = lines.map((l) => JSON.parse(l));
    expect(a.temporal.reachable && b.temporal.reachable).toBe(true);
    expect(Date.parse(b.at)).toBeGreaterThan(Date.parse(a.at));
  }, 40_000);

  it('exports a history that replays; the committed fixtures replay; a changed workflow fails', async () => {
    const [rerunGroup] = await visible(
      `WorkflowType = 'reportGroup' AND HeraldGroup = '${uni}' AND HeraldRunKind = 'rerun'`,
      1,
    );
    const file = path.join(home, 'rerun-window.json');
    const exported = await herald(['history', 'export', rerunGroup!, '--output', file], env);
    expect(exported.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).events[0].eventType).toBe(
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    );

    const fixtures = path.join(import.meta.dirname, '..', '..', 'replay', 'histories');
    // The same fixture as recorded from a workflow whose first activity was renamed.
    const changed = JSON.parse(readFileSync(path.join(fixtures, 'report-severity.json'), 'utf8'));
    const scheduled = changed.events.find(
      (e: Record<string, unknown>) => e.activityTaskScheduledEventAttributes,
    );
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'prepareRenamed';
    const changedFile = path.join(home, 'changed-report-severity.json');
    writeFileSync(changedFile, JSON.stringify(changed));

    const ok = await herald(
      [
        'replay',
        '--history',
        path.join(fixtures, 'report-group.json'),
        '--history',
        path.join(fixtures, 'report-severity.json'),
        '--history',
        file,
        '--workflow-id',
        rerunGroup!,
        '--json',
      ],
      env,
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ replayed: 4, failed: 0 });

    const bad = await herald(['replay', '--history', changedFile, '--json'], env);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).results).toEqual([
      {
        workflowId: 'changed-report-severity.json',
        source: changedFile,
        workflowType: 'reportSeverity',
        events: changed.events.length,
        ok: false,
        kind: 'nondeterminism',
        error:
          "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'prepareRenamed' does not match activity type of activity command 'prepareReports'",
        firstMismatch: { eventId: Number(scheduled.eventId), eventType: 'ACTIVITY_TASK_SCHEDULED' },
      },
    ]);
  }, 60_000);
});

describe('Temporal unreachable', () => {
  it('commands fail in one line with exit 1 and start nothing; status says what is down', async () => {
    const down = { ...env, TEMPORAL_ADDRESS: '127.0.0.1:9' };
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM report_runs')).rows[0].n;
    const D = Math.floor(Date.now() / DAY) * DAY - DAY;
    const results = await Promise.all([
      herald(['status', '--json'], down),
      herald(
        [
          'rerun',
          '--group',
          uni,
          '--from',
          new Date(D - DAY).toISOString(),
          '--to',
          new Date(D).toISOString(),
          '--yes',
        ],
        down,
      ),
    ]);
    const status = results.shift()!;
    for (const r of results) {
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(
        /^herald: cannot reach the Temporal server at 127\.0\.0\.1:9 \(.+\); is it running\? \(herald dev up\)$/,
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({
      temporal: { reachable: false },
      postgres: { reachable: true },
    });
    expect((await db.pool.query('SELECT count(*)::int AS n FROM report_runs')).rows[0].n).toBe(before);
  }, 60_000);
});
