// `herald dev up | down | status` as a user runs them: a whole local stack in a temporary
// HERALD_HOME on free ports, brought up by the quick start (which ends with the Mailpit URL, and
// Mailpit's API lists the demo's mails), started again, stopped and started again with its data intact.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../config/paths';
import { freePort } from '../../../scripts/dev/processes';
import { isolatedEnv, runCli } from '../../support/cli';

interface Component {
  name: string;
  state: string;
  url: string | null;
  pid: number | null;
}

const home = mkdtempSync(path.join(tmpdir(), 'herald-dev-'));
// The embedded PostgreSQL runs as the `postgres` user when tests run as root: it must reach HERALD_HOME.
chmodSync(home, 0o755);
let env: NodeJS.ProcessEnv;
const ports: Record<string, number> = {};

async function devJson(command: 'up' | 'status'): Promise<Record<string, Component>> {
  const result = await runCli(['dev', command, '--json'], env, undefined, 300_000);
  expect(result.code, result.stderr).toBe(0);
  const { components } = JSON.parse(result.stdout) as { components: Component[] };
  return Object.fromEntries(components.map((c) => [c.name, c]));
}

function devEnvValue(name: string): string {
  const line = readFileSync(path.join(home, 'dev.env'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}=`))!;
  return JSON.parse(line.slice(name.length + 1));
}

beforeAll(async () => {
  for (const name of ['TEMPORAL', 'TEMPORAL_UI', 'POSTGRES', 'SMTP', 'MAIL_WEB'])
    ports[name] = await freePort();
  env = isolatedEnv({
    HERALD_HOME: home,
    HERALD_DEV_TEMPORAL_PORT: String(ports.TEMPORAL),
    HERALD_DEV_TEMPORAL_UI_PORT: String(ports.TEMPORAL_UI),
    HERALD_DEV_POSTGRES_PORT: String(ports.POSTGRES),
    HERALD_DEV_SMTP_PORT: String(ports.SMTP),
    HERALD_DEV_MAIL_WEB_PORT: String(ports.MAIL_WEB),
  });
});

afterAll(async () => {
  await runCli(['dev', 'down'], env, undefined, 120_000);
}, 180_000);

function quickstart(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'quickstart.mjs')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface MailpitList {
  total: number;
  messages: { Subject: string; From: { Address: string }; To: { Address: string }[] }[];
}
const mailpitMessages = (): Promise<MailpitList> =>
  fetch(`http://localhost:${ports.MAIL_WEB}/api/v1/messages?limit=1000`).then(
    (r) => r.json() as Promise<MailpitList>,
  );

describe('herald dev', () => {
  it('the quick start brings the stack up and ends with the Mailpit URL; Mailpit lists the demo mails', async () => {
    const qs = await quickstart();
    expect(qs.code, qs.stderr).toBe(0);
    expect(qs.stdout.trimEnd().split('\n').at(-1)).toBe(`Mailpit:      http://localhost:${ports.MAIL_WEB}`);
    const summarised = Number(qs.stdout.match(/^mails in Mailpit\s+(\d+)$/m)?.[1]);
    expect(summarised).toBeGreaterThan(0);
    const listed = await mailpitMessages();
    expect(listed.total).toBe(summarised);
    // Every report mail herald's outbox has as accepted is there (the monitor's alert mails too).
    const outbox = await runCli(
      ['mail', 'outbox', '--status', 'accepted', '--limit', '10000', '--json'],
      env,
    );
    const accepted = (JSON.parse(outbox.stdout) as { outbox: unknown[] }).outbox.length;
    expect(accepted).toBeGreaterThan(0);
    console.log(
      `dev-stack: Mailpit lists ${listed.total} mails, the summary says ${summarised}, herald's outbox has ${accepted} accepted`,
    );
    expect(listed.total).toBeGreaterThanOrEqual(accepted);
    for (const m of listed.messages) expect(m.From.Address).toBe('herald@localhost');
  }, 600_000);

  it('up finds every component running, writes dev.env, and changes nothing', async () => {
    const first = await devJson('status');
    for (const name of ['temporal', 'postgres', 'mail', 'worker'])
      expect(first[name]?.state, name).toBe('running');
    expect(first.temporal!.url).toBe(`http://localhost:${ports.TEMPORAL_UI}`);
    expect(first.mail!.url).toBe(`http://localhost:${ports.MAIL_WEB}`);
    expect(devEnvValue('TEMPORAL_ADDRESS')).toBe(`localhost:${ports.TEMPORAL}`);
    expect(devEnvValue('HERALD_DATABASE_URL')).toContain(`:${ports.POSTGRES}/herald`);

    const second = await devJson('up');
    for (const name of ['temporal', 'postgres', 'mail', 'worker'])
      expect(second[name]!.pid).toBe(first[name]!.pid);

    const ui = await fetch(`http://localhost:${ports.TEMPORAL_UI}/`);
    expect(ui.status).toBe(200);
    const migrated = await runCli(['db', 'status', '--json'], env);
    expect(JSON.parse(migrated.stdout).pending).toBe(0);
  }, 300_000);

  it('down stops everything and up brings back the same data', async () => {
    const databaseUrl = devEnvValue('HERALD_DATABASE_URL');
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query('CREATE TABLE IF NOT EXISTS dev_stack_probe (note text)');
    await db.query("INSERT INTO dev_stack_probe VALUES ('kept across restarts')");
    await db.end();

    const connection = await Connection.connect({ address: devEnvValue('TEMPORAL_ADDRESS') });
    const workflowId = `dev-stack-probe-${Date.now()}`;
    await new Client({ connection }).workflow.start('noSuchWorkflowType', {
      taskQueue: 'nobody-polls',
      workflowId,
    });
    await connection.close();

    const transport = nodemailer.createTransport(devEnvValue('HERALD_SMTP_URL'));
    await transport.sendMail({
      from: 'herald@localhost',
      to: 'abuse@example.org',
      subject: 'kept mail',
      text: 'x',
    });
    transport.close();

    const down = await runCli(['dev', 'down'], env, undefined, 120_000);
    expect(down.code, down.stderr).toBe(0);
    const stopped = await devJson('status');
    for (const name of ['temporal', 'postgres', 'mail', 'worker'])
      expect(stopped[name]!.state, name).toBe('stopped');

    const again = await devJson('up');
    for (const name of ['temporal', 'postgres', 'mail', 'worker'])
      expect(again[name]!.state, name).toBe('running');

    const db2 = new pg.Client({ connectionString: databaseUrl });
    await db2.connect();
    const rows = await db2.query('SELECT note FROM dev_stack_probe');
    await db2.end();
    expect(rows.rows).toEqual([{ note: 'kept across restarts' }]);

    const connection2 = await Connection.connect({ address: devEnvValue('TEMPORAL_ADDRESS') });
    const description = await new Client({ connection: connection2 }).workflow
      .getHandle(workflowId)
      .describe();
    await connection2.close();
    expect(description.type).toBe('noSuchWorkflowType');

    const mails = await mailpitMessages();
    expect(mails.messages.map((m) => m.Subject)).toContain('kept mail');
  }, 300_000);
});
