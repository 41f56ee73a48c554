// Mails recipients can process and trust, as a real SMTP server received them: a CSV in a zip
// (read back with unzip and a CSV library), the report's per-event statistics (`reports show
// --json`), the archive Bcc in the envelope of real reports only, Reply-To and Return-Path, and
// PGP/MIME signatures of a report and an alert mail checked by Debian's gpg with a key made here.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../../activities';
import type { MailSettings } from '../../../activities/deps';
import { ingestEvents } from '../../../db/events/ingest';
import { loadMailSigner } from '../../../delivery/signing-key';
import { CSV_COLUMNS } from '../../../domain/reporting/csv-attachment';
import { type CaughtMail, type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { heraldBin, isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, ideaEvent, runGroup, seedCatalog } from '../reporting/support';

const ARCHIVE = 'archive@csirt.test';
let db: TestDatabase;
let mail: MailCatcher;
let mailDir: string;
let gnupgHome: string;
let keyFile: string;
let settings: MailSettings;
const timeHigh = alignedPast();
const stored = new Date(timeHigh.getTime() - 5 * 60_000);
const work = mkdtempSync(path.join(tmpdir(), 'herald-signed-'));

const gpg = (args: string[], home = gnupgHome) =>
  spawnSync('gpg', ['--batch', '--no-tty', ...args], {
    env: { ...process.env, GNUPGHOME: home },
    encoding: 'utf8',
  });

/** The raw message as the SMTP server received it. */
const rawOf = (m: CaughtMail) => readFileSync(path.join(mailDir, `${m.id}.eml`));

/** The signed MIME entity and the detached signature of a multipart/signed message (RFC 3156). */
function signedParts(raw: Buffer): { signed: Buffer; signature: Buffer } {
  const text = raw.toString('latin1');
  const boundary = text.match(/^Content-Type: multipart\/signed;[\s\S]*?boundary="([^"]+)"/m)?.[1];
  if (!boundary) throw new Error('not a multipart/signed message');
  const start = text.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
  const end = text.indexOf(`\r\n--${boundary}\r\n`, start);
  const rest = text.slice(end);
  const signature = rest.slice(
    rest.indexOf('-----BEGIN PGP SIGNATURE-----'),
    rest.indexOf('-----END PGP SIGNATURE-----') + 27,
  );
  return { signed: Buffer.from(text.slice(start, end), 'latin1'), signature: Buffer.from(signature) };
}

/** gpg --verify of the signature over the signed part; `flip`: one byte of it changed first. */
function verify(raw: Buffer, flip?: number): { ok: boolean; output: string } {
  const { signed, signature } = signedParts(raw);
  const data = Buffer.from(signed);
  if (flip !== undefined) data[flip] = data[flip]! ^ 0x01;
  const dir = mkdtempSync(path.join(work, 'verify-'));
  writeFileSync(path.join(dir, 'part'), data);
  writeFileSync(path.join(dir, 'part.asc'), signature);
  const result = gpg(['--verify', path.join(dir, 'part.asc'), path.join(dir, 'part')]);
  return { ok: result.status === 0, output: result.stderr };
}

async function storeIdeaEvents(events: Record<string, unknown>[]) {
  async function* records() {
    for (const [i, value] of events.entries()) yield { line: i + 1, value };
  }
  const summary = await ingestEvents(db.pool, records(), { storageTime: stored });
  if (summary.rejected > 0) throw new Error(`ingest rejected events: ${JSON.stringify(summary.errors)}`);
}

async function run(group: string, force = {}) {
  const taskQueue = randomTaskQueue('signed');
  const worker = await createTestWorker({
    taskQueue,
    activities: createActivities({ pool: db.pool, logger: pino({ level: 'silent' }), mail: settings }),
  });
  const { client, close } = await testClient();
  try {
    return await worker.run(() =>
      runGroup(client, taskQueue, { group, timeHigh: timeHigh.toISOString(), severities: ['high'], force }),
    );
  } finally {
    await close();
  }
}

const labelOf = (m: CaughtMail) => m.subject.slice(1, 18);

beforeAll(async () => {
  gnupgHome = mkdtempSync(path.join(work, 'gnupg-'));
  chmodSync(gnupgHome, 0o700);
  const made = gpg([
    '--passphrase',
    '',
    '--quick-gen-key',
    'herald test <herald@csirt.test>',
    'ed25519',
    'sign',
    'never',
  ]);
  expect(made.status, made.stderr).toBe(0);
  keyFile = path.join(work, 'signing-key.asc');
  writeFileSync(keyFile, gpg(['--armor', '--export-secret-keys', 'herald@csirt.test']).stdout);

  db = await freshDatabase();
  mailDir = path.join(work, 'mail');
  mail = await startMailCatcher({ smtpPort: 0, storeDir: mailDir });
  settings = {
    transport: nodemailer.createTransport(mail.smtpUrl),
    from: 'herald@csirt.test',
    domain: 'csirt.test',
    archiveBcc: [ARCHIVE],
    replyTo: 'csirt@csirt.test',
    returnPath: 'bounces@csirt.test',
    signer: await loadMailSigner(keyFile),
  };
  await seedCatalog(db.pool, {
    groups: [
      { name: 'zipcsv', networks: [{ network: '10.1.0.0/16' }], emails: { high: ['soc@zipcsv.test'] } },
      { name: 'testy', networks: [{ network: '10.3.0.0/16' }], emails: { high: ['real@testy.test'] } },
      {
        name: 'redir',
        networks: [{ network: '10.4.0.0/16' }],
        emails: { high: ['real@redir.test'] },
        redirect: true,
      },
    ],
    admin: ['admin@csirt.test'],
  });
  await db.pool.query(
    `UPDATE group_settings SET attachments = 'csv', attachments_compress = 'zip'
      WHERE group_id = (SELECT id FROM groups WHERE name = 'zipcsv')`,
  );
  const detect = new Date(stored.getTime() - 60_000);
  await storeIdeaEvents([
    // One event with three source IPs, and a description a spreadsheet would run.
    {
      ...ideaEvent(
        { group: 'zipcsv', severity: 'high', ip: ['10.1.0.1', '10.1.0.2', '10.1.0.3'], id: 'ev-three' },
        detect,
      ),
      Description: '=HYPERLINK("http://evil.example","click")',
    },
    ideaEvent(
      { group: 'zipcsv', severity: 'high', ip: '10.1.0.4', id: 'ev-one', detector: 'cz.example.other' },
      detect,
    ),
    ideaEvent({ group: 'testy', severity: 'high', ip: '10.3.0.1' }, detect),
    ideaEvent({ group: 'redir', severity: 'high', ip: '10.4.0.1' }, detect),
  ]);
  await run('zipcsv');
  await run('testy', { mailTestMode: true, mailTo: ['tester@csirt.test'] });
  await run('redir');
}, 180_000);

afterAll(async () => {
  settings?.transport.close();
  await mail?.close();
  await db?.drop();
  // gpg started an agent for each home; they outlive the process unless told to stop.
  for (const home of readdirSync(work).filter((d) => d.startsWith('gnupg-')))
    spawnSync('gpgconf', ['--homedir', path.join(work, home), '--kill', 'gpg-agent']);
  rmSync(work, { recursive: true, force: true });
});

async function reportMail(group: string): Promise<CaughtMail> {
  const { rows } = await db.pool.query<{ label: string }>(
    "SELECT label FROM reports WHERE group_name = $1 AND type = 'summary'",
    [group],
  );
  const found = (await mail.messages()).find((m) => m.messageId === `<${rows[0]!.label}@csirt.test>`);
  if (!found) throw new Error(`no mail for ${group}`);
  return found;
}

describe('a CSV in a zip', () => {
  it('has the header and one row per (event, source IP) of the report; a formula arrives neutralised', async () => {
    const m = await reportMail('zipcsv');
    const label = labelOf(m);
    const parsed = await simpleParser(rawOf(m));
    const zips = parsed.attachments.filter((a) => a.filename !== 'signature.asc');
    expect(zips.map((a) => [a.filename, a.contentType])).toEqual([
      [`security-report-${label}.zip`, 'application/zip'],
    ]);
    const zipFile = path.join(work, `${label}.zip`);
    writeFileSync(zipFile, zips[0]!.content);
    expect(execFileSync('unzip', ['-Z1', zipFile], { encoding: 'utf8' }).trim()).toBe(
      `security-report-${label}.csv`,
    );
    const csv = execFileSync('unzip', ['-p', zipFile], { encoding: 'utf8' });
    const header = parse(csv, { bom: true, to_line: 1 }) as string[][];
    expect(header[0]).toEqual([...CSV_COLUMNS]);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    const { rows: expected } = await db.pool.query<{ event_id: string; ip: string }>(
      `SELECT re.event_id, host(re.ip) AS ip FROM report_events re JOIN reports r ON r.id = re.report_id
        WHERE r.label = $1 ORDER BY 1, 2`,
      [label],
    );
    expect(rows.map((r) => [r.event_id, r.source_ip]).sort()).toEqual(
      expected.map((r) => [r.event_id, r.ip]),
    );
    expect(rows).toHaveLength(4);
    const three = rows.filter((r) => r.event_id === 'ev-three');
    expect(three.map((r) => r.description)).toEqual(
      Array(3).fill(`'=HYPERLINK("http://evil.example","click")`),
    );
    expect(m.text).toContain(`The events are attached as security-report-${label}.zip (2 events).`);
  });

  it('`reports show LABEL --attachment` writes the same file to stdout', async () => {
    const m = await reportMail('zipcsv');
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(work, 'home-')),
    });
    const out = execFileSync(process.execPath, [heraldBin, 'reports', 'show', labelOf(m), '--attachment'], {
      env,
    });
    const parsed = await simpleParser(rawOf(m));
    expect(out.equals(parsed.attachments.find((a) => a.filename?.endsWith('.zip'))!.content)).toBe(true);
  }, 60_000);
});

describe("Mentat's report statistics", () => {
  it('count an event with three source IPs once per class and once per IP; `reports show --json` prints them', async () => {
    const m = await reportMail('zipcsv');
    const env = isolatedEnv({
      HERALD_DATABASE_URL: db.url,
      HERALD_HOME: mkdtempSync(path.join(work, 'home-')),
    });
    const shown = await runCli(['reports', 'show', labelOf(m), '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const { statistics } = JSON.parse(shown.stdout);
    expect(statistics).toEqual({
      cnt_alerts: 2,
      cnt_events: 2,
      cnt_recurring: 0,
      cnt_ips: 4,
      classes: { 'recon-scanning': 2 },
      categories: { 'Recon.Scanning': 2 },
      category_sets: { 'Recon.Scanning': 2 },
      detectors: { 'cz.example.other': 1, 'cz.example.sensor': 1 },
      analyzers: { test: 2 },
      sources: { '10.1.0.1': 1, '10.1.0.2': 1, '10.1.0.3': 1, '10.1.0.4': 1 },
      targets: { __unknown__: 2 },
      abuses: { zipcsv: 2 },
      severities: { high: 2 },
    });
    const text = await runCli(['reports', 'show', labelOf(m)], env);
    expect(text.stdout).toMatch(/^classes: +recon-scanning 2$/m);
    // The mail shows them as Mentat's does: classes and categories with their event counts.
    expect(m.text).toMatch(/^Event classes: +recon-scanning \(2\)$/m);
    expect(m.text).toMatch(/^Source addresses: +4$/m);
  }, 60_000);
});

describe('archive copy, Reply-To and Return-Path', () => {
  it('a real report has the archive address in its envelope, not in its headers', async () => {
    const m = await reportMail('zipcsv');
    expect(m.envelopeTo.sort()).toEqual([ARCHIVE, 'soc@zipcsv.test']);
    expect(m.envelopeFrom).toBe('bounces@csirt.test');
    expect(m.headers['reply-to']).toBe('csirt@csirt.test');
    expect(m.bcc).toEqual([]);
    expect(rawOf(m).toString('latin1')).not.toContain(ARCHIVE);
  });

  it('mail test mode and redirect send no archive copy', async () => {
    const testMode = await reportMail('testy');
    expect(testMode.envelopeTo).toEqual(['tester@csirt.test']);
    const redirected = await reportMail('redir');
    expect(redirected.envelopeTo).toEqual(['admin@csirt.test']);
  });
});

describe('PGP/MIME signatures', () => {
  it('gpg verifies a report mail as received; one byte changed fails', async () => {
    const m = await reportMail('zipcsv');
    const raw = rawOf(m);
    const text = raw.toString('latin1');
    expect(text).toMatch(
      /^Content-Type: multipart\/signed; protocol="application\/pgp-signature";\r\n micalg=pgp-sha\d+;/m,
    );
    // The headers recipients filter on stay on the outer message, unchanged.
    expect(m.messageId).toBe(`<${labelOf(m)}@csirt.test>`);
    expect(m.headers['x-mentat-report-type']).toBe('summary');
    const good = verify(raw);
    expect(good.ok, good.output).toBe(true);
    expect(good.output).toContain('Good signature from "herald test <herald@csirt.test>"');
    const { signed } = signedParts(raw);
    expect(signed.toString('latin1')).toMatch(/^Content-Type: multipart\/mixed;/);
    for (const at of [0, Math.floor(signed.length / 2), signed.length - 3]) {
      const bad = verify(raw, at);
      expect(bad.ok).toBe(false);
      expect(bad.output).toContain('BAD signature');
    }
  });

  it('gpg verifies an access-log alert mail; one byte changed fails', async () => {
    await db.pool.query(
      "INSERT INTO monitor_sources (source, recipients) VALUES ('web-1', '{ops@csirt.test}')",
    );
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO alerts (source, state, at, hits, average, rule, threshold, window_seconds)
       VALUES ('web-1', 'alert', now(), 1200, 10, 'hits > 10/s', 10, 120) RETURNING id`,
    );
    const activities = createActivities({ pool: db.pool, logger: pino({ level: 'silent' }), mail: settings });
    // The alert mail's path (workflows/access-log-alert-mail.ts): an outbox row, then the send.
    const { outboxId } = await activities.queueAccessLogAlertMail({ alertId: Number(rows[0]!.id) });
    await activities.sendReportMail({ outboxId: outboxId! });
    const m = (await mail.messages()).find(
      (x) => x.messageId === `<access-log-alert-${rows[0]!.id}@csirt.test>`,
    )!;
    expect(m.headers['x-herald-monitor-source']).toBe('web-1');
    expect(m.envelopeTo).toEqual(['ops@csirt.test']);
    const raw = rawOf(m);
    expect(verify(raw).ok).toBe(true);
    expect(verify(raw, 40).ok).toBe(false);
  });

  it('a worker with a missing, unreadable or locked key stops at start with one line', async () => {
    const protectedHome = mkdtempSync(path.join(work, 'gnupg-locked-'));
    chmodSync(protectedHome, 0o700);
    const withPassphrase = ['--pinentry-mode', 'loopback', '--passphrase', 'right horse'];
    const made = gpg(
      [...withPassphrase, '--quick-gen-key', 'locked <l@csirt.test>', 'ed25519', 'sign', 'never'],
      protectedHome,
    );
    expect(made.status, made.stderr).toBe(0);
    const lockedKey = path.join(work, 'locked.asc');
    const armored = gpg(
      [...withPassphrase, '--armor', '--export-secret-keys', 'l@csirt.test'],
      protectedHome,
    ).stdout;
    writeFileSync(lockedKey, armored);
    const wrong = path.join(work, 'wrong-passphrase');
    writeFileSync(wrong, 'wrong horse\n');
    const notAKey = path.join(work, 'not-a-key.asc');
    writeFileSync(notAKey, 'hello\n');
    const base = {
      HERALD_HOME: mkdtempSync(path.join(work, 'home-')),
      HERALD_SMTP_URL: mail.smtpUrl,
      HERALD_DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    };
    const cases: [Record<string, string>, string][] = [
      [
        { HERALD_MAIL_SIGNING_KEY_FILE: path.join(work, 'missing.asc') },
        `HERALD_MAIL_SIGNING_KEY_FILE: cannot read ${path.join(work, 'missing.asc')} (ENOENT)`,
      ],
      [
        { HERALD_MAIL_SIGNING_KEY_FILE: notAKey },
        `HERALD_MAIL_SIGNING_KEY_FILE: ${notAKey} is not an ASCII-armored OpenPGP secret key`,
      ],
      [
        { HERALD_MAIL_SIGNING_KEY_FILE: lockedKey },
        `HERALD_MAIL_SIGNING_PASSPHRASE_FILE: the key in ${lockedKey} is protected by a passphrase`,
      ],
      [
        { HERALD_MAIL_SIGNING_KEY_FILE: lockedKey, HERALD_MAIL_SIGNING_PASSPHRASE_FILE: wrong },
        `HERALD_MAIL_SIGNING_PASSPHRASE_FILE: the passphrase in ${wrong} does not unlock the key in ${lockedKey}`,
      ],
    ];
    const results = await Promise.all(
      cases.map(([extra]) => runCli(['worker'], isolatedEnv({ ...base, ...extra }), undefined, 60_000)),
    );
    for (const [i, result] of results.entries()) {
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(cases[i]![1]);
      expect(result.stderr).not.toContain('PGP PRIVATE KEY');
    }
    // The right passphrase unlocks it.
    const right = path.join(work, 'right-passphrase');
    writeFileSync(right, 'right horse\n');
    expect((await loadMailSigner(lockedKey, right)).fingerprint).toMatch(/^[0-9A-F]{40}$/);
  }, 120_000);
});
