// Secrets: the SMTP and database passwords herald is given never appear in workflow
// arguments, results or histories, in the worker's logs, in what it stores, or in the CLI's error
// messages. Real credentials on real servers: a PostgreSQL role with a password (scram-sha-256)
// on a test database, and the mail catcher requiring SMTP AUTH. A `bin/herald worker` process logs
// at debug level; its SMTP password is then changed on the server, so a login refusal goes through
// history, logs and the outbox too (the mail is retried until the server takes the password
// again). Histories are searched in their binary (protobuf) encoding, where payloads are the raw
// JSON herald wrote.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, parseEnvironment } from '../../../config/env';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freePort } from '../../../scripts/dev/processes';
import { type CliResult, heraldBin, isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import '../../support/provided';
import { fileNamespace } from '../../support/namespace';
import { randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, seedCatalog, storeEvents } from '../reporting/support';

const { temporal } = proto;

const suffix = randomUUID().slice(0, 8);
const role = `herald_secret_${suffix}`;
const dbPassword = `dbpw-${randomUUID()}`;
const wrongDbPassword = `wrongpw-${randomUUID()}`;
const smtpUser = 'herald-mailer';
const smtpPassword = `smtppw-${randomUUID()}`;
/** Every secret the test hands to herald; none may come back out. */
const secrets = [dbPassword, wrongDbPassword, smtpPassword];
const groups = { ok: `sec-ok-${suffix}`, refused: `sec-refused-${suffix}` };
const timeHigh = alignedPast();
const taskQueue = randomTaskQueue('secrets');

let db: TestDatabase;
let mail: MailCatcher;
let acceptedSmtpPassword = smtpPassword;
const logins: { user: string; ok: boolean }[] = [];
let roleUrl: string;
let smtpUrl: string;
let home: string;
let worker: ChildProcess;
let workerOutput = '';
let client: Client;
let closeClient: () => Promise<void>;
const cliOutputs: string[] = [];

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

async function admin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return isolatedEnv({
    HERALD_HOME: home,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: fileNamespace(),
    HERALD_DATABASE_URL: roleUrl,
    HERALD_SMTP_URL: smtpUrl,
    HERALD_MAIL_FROM: 'herald@csirt.test',
    HERALD_MAIL_DOMAIN: 'csirt.test',
    HERALD_TASK_QUEUE: taskQueue,
    ...extra,
  });
}

async function herald(args: string[], extra: Record<string, string> = {}): Promise<CliResult> {
  const r = await runCli(args, env(extra));
  cliOutputs.push(r.stdout, r.stderr);
  return r;
}

/** Every row of every table of herald's database, as text. */
async function dumpDatabase(): Promise<string> {
  const { rows: tables } = await db.pool.query<{ name: string }>(
    "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public'",
  );
  let dump = '';
  for (const { name } of tables) {
    const { rows } = await db.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`);
    dump += rows.map((r) => r.row).join('\n');
  }
  return dump;
}

/** The id of this file's workflow whose id starts with `prefix` (visibility lags a little). */
async function findWorkflow(prefix: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    for await (const w of client.workflow.list()) if (w.workflowId.startsWith(prefix)) return w.workflowId;
    await sleep(200);
  }
  throw new Error(`no workflow ${prefix}…`);
}

function expectNoSecret(text: string | Uint8Array, where: string) {
  const buffer = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
  for (const secret of secrets) expect(buffer.includes(secret), `${where} holds a password`).toBe(false);
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'herald-secrets-'));
  await admin(async (c) => {
    await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} LOGIN PASSWORD ${c.escapeLiteral(dbPassword)}`);
    // To see which sessions of its database are writing (the fetch's window fence, docs/mentat.md, "Late writers").
    await c.query(`GRANT pg_read_all_stats TO ${c.escapeIdentifier(role)}`);
  });
  [db, mail] = await Promise.all([
    freshDatabase(),
    startMailCatcher({
      smtpPort: 0,
      authenticate: (user, password) => {
        const ok = user === smtpUser && password === acceptedSmtpPassword;
        logins.push({ user, ok });
        return ok;
      },
    }),
  ]);
  roleUrl = withCredentials(db.url, role, dbPassword);
  smtpUrl = withCredentials(mail.smtpUrl, smtpUser, smtpPassword);
  await seedCatalog(db.pool, {
    groups: [
      { name: groups.ok, networks: [{ network: '10.91.0.0/16' }], emails: { high: ['soc@ok.test'] } },
      {
        name: groups.refused,
        networks: [{ network: '10.92.0.0/16' }],
        emails: { high: ['soc@refused.test'] },
      },
    ],
  });
  await storeEvents(
    db.pool,
    [
      { group: groups.ok, severity: 'high', ip: '10.91.0.1' },
      { group: groups.refused, severity: 'high', ip: '10.92.0.1' },
    ],
    new Date(timeHigh.getTime() - 5 * 60_000),
  );
  // herald's role may use the tables (the event partitions exist now), not own them.
  const r = pg.escapeIdentifier(role);
  await db.pool.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
  await db.pool.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${r}`);
  await db.pool.query(`GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${r}`);

  ({ client, close: closeClient } = await testClient());
  worker = spawn(process.execPath, [heraldBin, 'worker'], {
    env: env({ HERALD_LOG_LEVEL: 'debug', HERALD_WORKFLOW_BUNDLE: inject('workflowBundlePath') }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk) => {
    workerOutput += chunk;
  });
  worker.stderr?.on('data', (chunk) => {
    workerOutput += chunk;
  });
  const deadline = Date.now() + 60_000;
  while (!workerOutput.includes('herald worker started') && Date.now() < deadline) await sleep(100);
  expect(workerOutput).toContain('herald worker started');
}, 120_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.kill('SIGTERM');
    await exited;
  }
  await closeClient?.();
  await mail?.close();
  await db?.drop();
  await admin((c) => c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`));
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('credentials in a reporting run', () => {
  let histories: { workflowId: string; bytes: Uint8Array }[] = [];
  /** The refused group's severity run as `describe` showed it while its mail was being retried. */
  let describedWhileRefused: Uint8Array;
  /** Every row of every table while the refused mail was pending. */
  let dumpWhileRefused: string;
  let statusWhileRefused: CliResult;

  beforeAll(async () => {
    const run = (group: string) =>
      herald([
        'run',
        '--group',
        group,
        '--severity',
        'high',
        '--time-high',
        timeHigh.toISOString(),
        '--wait',
        '--json',
      ]);
    const ok = await run(groups.ok);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).runs[0].severities.high.result).toBe('reported');
    expect((await mail.messages()).map((m) => m.envelopeTo)).toEqual([['soc@ok.test']]);
    // The SMTP password changes on the server: the worker's login is refused from now on. That is
    // herald's settings, not the mail: the mail stays pending and its send is retried.
    acceptedSmtpPassword = `rotated-${randomUUID()}`;
    const refused = run(groups.refused);
    const outboxOf = async (group: string) =>
      (
        await db.pool.query<{ status: string; attempts: number; last_error: string | null }>(
          `SELECT o.status, o.attempts, o.last_error FROM report_outbox o JOIN reports r ON r.id = o.report_id
            WHERE r.group_name = $1`,
          [group],
        )
      ).rows[0];
    let pending = await outboxOf(groups.refused);
    for (let i = 0; i < 300 && !pending?.last_error; i++) {
      await sleep(100);
      pending = await outboxOf(groups.refused);
    }
    expect(pending).toMatchObject({ status: 'pending', last_error: expect.stringContaining('535 5.7.8') });
    // Where an operator sees the refusal meanwhile: the pending activity's last failure.
    const severityRun = await findWorkflow(`report:${groups.refused}:high:`);
    const described = await client.workflow.getHandle(severityRun).describe();
    expect(described.raw.pendingActivities?.[0]?.lastFailure?.message).toContain('535 5.7.8');
    describedWhileRefused = temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(
      described.raw,
    ).finish();
    dumpWhileRefused = await dumpDatabase();
    statusWhileRefused = await herald(['status', '--json']);
    // The server takes herald's password again: the next retry delivers the mail, once.
    acceptedSmtpPassword = smtpPassword;
    const done = await refused;
    expect(done.code, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout).runs[0].severities.high.result).toBe('reported');
    expect(await outboxOf(groups.refused)).toMatchObject({ status: 'accepted', last_error: null });
    expect((await outboxOf(groups.refused))!.attempts).toBeGreaterThan(1);
    expect((await mail.messages()).map((m) => m.envelopeTo).sort()).toEqual([
      ['soc@ok.test'],
      ['soc@refused.test'],
    ]);

    // Every workflow of the two runs: the group runs and their severity runs.
    let ids: { workflowId: string; runId: string }[] = [];
    for (let i = 0; i < 100 && ids.length < 4; i++) {
      ids = [];
      for await (const w of client.workflow.list())
        if (w.workflowId.includes(suffix)) ids.push({ workflowId: w.workflowId, runId: w.runId });
      if (ids.length < 4) await sleep(200);
    }
    histories = await Promise.all(
      ids.map(async ({ workflowId, runId }) => {
        const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
        return { workflowId, bytes: temporal.api.history.v1.History.encode(history).finish() };
      }),
    );
  }, 180_000);

  it('the mails went out over authenticated sessions, and the refused logins were logins', () => {
    expect(logins.filter((l) => l.ok)).toHaveLength(2);
    expect(logins.some((l) => !l.ok && l.user === smtpUser)).toBe(true);
  });

  it('`herald status` showed the mail being retried and why, without the password', () => {
    expect(statusWhileRefused.code, statusWhileRefused.stderr).toBe(0);
    const { mail: state } = JSON.parse(statusWhileRefused.stdout);
    expect(state).toMatchObject({
      pending: 1,
      retrying: 1,
      failedSince: 0,
      lastError: { error: expect.stringContaining('Invalid login: 535 5.7.8') },
    });
    expectNoSecret(statusWhileRefused.stdout, 'status');
  });

  it('the refused mail, while it was retried, showed its refusal and no password', () => {
    expect(Buffer.from(describedWhileRefused).includes('535 5.7.8')).toBe(true);
    expectNoSecret(describedWhileRefused, 'the described severity run');
    expect(dumpWhileRefused).toContain('535 5.7.8');
    expectNoSecret(dumpWhileRefused, 'the database while the mail was refused');
  });

  it('no workflow argument, result, failure or other history event holds a password', () => {
    expect(histories.map((h) => h.workflowId).sort()).toEqual([
      expect.stringMatching(new RegExp(`^report:${groups.ok}:high:`)),
      expect.stringMatching(new RegExp(`^report:${groups.ok}:run:`)),
      expect.stringMatching(new RegExp(`^report:${groups.refused}:high:`)),
      expect.stringMatching(new RegExp(`^report:${groups.refused}:run:`)),
    ]);
    const all = Buffer.concat(histories.map((h) => Buffer.from(h.bytes)));
    // The search sees inside payloads and failures: the results' recipients and the SMTP refusal
    // (the delivering attempt's start records the failure of the one before it).
    expect(all.includes('soc@ok.test')).toBe(true);
    expect(all.includes('535 5.7.8 authentication credentials invalid')).toBe(true);
    for (const h of histories) expectNoSecret(h.bytes, `history of ${h.workflowId}`);
  });

  it('`herald history export` of the run with the refused login prints no password', async () => {
    const refused = histories.find((h) => h.workflowId.startsWith(`report:${groups.refused}:high:`))!;
    const r = await herald(['history', 'export', refused.workflowId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('535 5.7.8');
    expectNoSecret(r.stdout, `export of ${refused.workflowId}`);
  }, 120_000);

  it("the worker's debug log holds none, though it logged the refused login", () => {
    expect(workerOutput).toMatch(/"level":20/);
    expect(workerOutput).toContain('mail not delivered yet; will retry');
    expect(workerOutput).toContain('535 5.7.8');
    expectNoSecret(workerOutput, 'the worker log');
  });

  it('nothing herald stored holds one: every row of every table', async () => {
    const dump = await dumpDatabase();
    expect(dump).toContain('soc@refused.test');
    expectNoSecret(dump, 'the database');
  });
});

describe('credentials in error messages', () => {
  const oneLine = (r: CliResult) => {
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expectNoSecret(r.stdout + r.stderr, r.stderr);
    return r.stderr.trim();
  };

  it('a wrong database password', async () => {
    const wrong = { HERALD_DATABASE_URL: withCredentials(db.url, role, wrongDbPassword) };
    const [list, status] = await Promise.all([
      herald(['reports', 'list'], wrong),
      herald(['status', '--json'], wrong),
    ]);
    expect(oneLine(list)).toBe(`herald: password authentication failed for user "${role}"`);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout).postgres).toEqual({
      reachable: false,
      error: `password authentication failed for user "${role}"`,
    });
    expectNoSecret(status.stdout + status.stderr, 'status');
  }, 120_000);

  it('a database that is down', async () => {
    const port = await freePort();
    const down = { HERALD_DATABASE_URL: `postgres://${role}:${dbPassword}@127.0.0.1:${port}/herald` };
    expect(oneLine(await herald(['reports', 'list'], down))).toBe(
      `herald: cannot connect to 127.0.0.1:${port} (connection refused); is the stack up? (herald dev up)`,
    );
  }, 120_000);

  it('a URL that does not parse, or is of the wrong kind, is named without its password', async () => {
    const cases = {
      HERALD_DATABASE_URL: `postgres://${role}:${dbPassword}@127.0.0.1:port/herald`,
      HERALD_SMTP_URL: `mysql://${smtpUser}:${smtpPassword}@127.0.0.1:3306/mail`,
    };
    const [badDb, badSmtp, debug] = await Promise.all([
      herald(['reports', 'list'], { HERALD_DATABASE_URL: cases.HERALD_DATABASE_URL }),
      herald(['reports', 'list'], { HERALD_SMTP_URL: cases.HERALD_SMTP_URL }),
      herald(['--debug', 'reports', 'list'], cases),
    ]);
    for (const [name, r] of [
      ['HERALD_DATABASE_URL', badDb],
      ['HERALD_SMTP_URL', badSmtp],
    ] as const) {
      expect(oneLine(r)).toMatch(
        new RegExp(`^herald: ${name}: expected .*, got ".*:\\*\\*\\*@127\\.0\\.0\\.1:`),
      );
      const thrown = (() => {
        try {
          parseEnvironment({ [name]: cases[name] });
        } catch (error) {
          return error;
        }
      })();
      expect(thrown).toBeInstanceOf(ConfigError);
      expectNoSecret((thrown as Error).message, 'the ConfigError');
    }
    // With --debug the stack trace follows: it carries the same redacted message.
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('ConfigError: HERALD_DATABASE_URL');
    expectNoSecret(debug.stderr, 'the --debug output');
  }, 120_000);

  it('an SMTP login refused to `mail retry`, and `dev status` with an external SMTP server', async () => {
    // A mail refused for good earlier (say a 550 for an address fixed since), retried by hand while
    // the server refuses herald's login.
    const { rows } = await db.pool.query<{ id: string; label: string }>(
      `UPDATE report_outbox o SET status = 'failed', failed_at = now(), accepted_at = NULL FROM reports r
        WHERE r.id = o.report_id AND r.group_name = $1 RETURNING o.id, r.label`,
      [groups.refused],
    );
    expect(rows).toHaveLength(1);
    acceptedSmtpPassword = `rotated-again-${randomUUID()}`;
    const retry = await herald(['mail', 'retry', rows[0]!.label]);
    acceptedSmtpPassword = smtpPassword;
    expect(oneLine(retry)).toMatch(/^herald: M\S+: not delivered: Invalid login: 535 5\.7\.8/);
    // Still failed, with this attempt's answer: no run would send it if it were left pending.
    const after = await db.pool.query('SELECT status, last_error FROM report_outbox WHERE id = $1', [
      rows[0]!.id,
    ]);
    expect(after.rows[0]).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('535 5.7.8'),
    });
    const dev = await herald(['dev', 'status', '--json']);
    expect(dev.stdout).toContain(`smtp://${smtpUser}:***@127.0.0.1:${mail.smtpPort}`);
    expectNoSecret(dev.stdout + dev.stderr, 'dev status');
  }, 120_000);

  it('nothing the CLI printed in this file held a password', () => {
    expect(cliOutputs.length).toBeGreaterThan(10);
    expectNoSecret(cliOutputs.join('\n'), 'CLI output');
  });
});
