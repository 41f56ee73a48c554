// A real reporting run (Temporal, PostgreSQL, SMTP to an in-process server) after two catalog
// decisions: with `report_base_only` an address covered only by a base network is reported to
// that network's owner (Mentat never reports it); and after a network is added, `herald events
// resolve` moves the events stored before into it, so the next run reports them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalog } from '../../../db/catalog/upsert';
import { parseCatalog } from '../../../domain/catalog/schema';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { isolatedEnv, runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, reportRows, runGroup, seedCatalog, storeEvents } from './support';

let db: TestDatabase;
let mail: MailCatcher;
const timeHigh = alignedPast();
const stored = new Date(timeHigh.getTime() - 5 * 60_000);

async function runGroups(groups: string[]) {
  const taskQueue = randomTaskQueue('base-only');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    return await worker.run(() =>
      Promise.all(
        groups.map((group) => runGroup(client, taskQueue, { group, timeHigh: timeHigh.toISOString() })),
      ),
    );
  } finally {
    await close();
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [
      {
        name: 'isp',
        networks: [{ network: '10.0.0.0/8', isBase: true }],
        emails: { high: ['abuse@isp.test'] },
      },
      { name: 'campus', networks: [{ network: '10.1.0.0/16' }], emails: { high: ['soc@campus.test'] } },
      { name: 'lab', networks: [], emails: { high: ['soc@lab.test'] } },
    ],
  });
  // The setting as an operator sets it: in the catalog file.
  const settings = parseCatalog({ settings: { report_base_only: true } });
  if (!settings.ok) throw new Error(settings.problems.join('\n'));
  await importCatalog(db.pool, settings.catalog);
  await storeEvents(
    db.pool,
    [
      { id: 'base-only-1', group: 'isp', severity: 'high', ip: '10.9.9.9' }, // only isp's base network
      { id: 'campus-1', group: 'campus', severity: 'high', ip: '10.1.2.3' },
      { id: 'lab-1', group: 'lab', severity: 'high', ip: '172.16.5.5' }, // nobody's network, yet
    ],
    stored,
  );
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('report_base_only', () => {
  it('reports an address covered only by a base network to the base network owner', async () => {
    const base = await db.pool.query(
      `SELECT resolved_abuses, base_abuses FROM events WHERE id = 'base-only-1'`,
    );
    expect(base.rows[0]).toEqual({ resolved_abuses: ['isp'], base_abuses: ['isp'] });
    const [isp] = await runGroups(['isp']);
    expect(isp!.severities.high?.result).toBe('reported');
    expect(isp!.severities.high?.counters).toMatchObject({ new: 1, rep: 1 });
    const rows = (await reportRows(db.pool)).filter((r) => r.group_name === 'isp');
    expect(rows.map((r) => [r.type, r.chain, r.mail_to])).toEqual([['summary', ['isp'], ['abuse@isp.test']]]);
    const received = (await mail.messages()).filter((m) => m.to.includes('abuse@isp.test'));
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('10.9.9.9');
  });
});

describe('events resolve', () => {
  it('moves stored events into a network added later; the next run reports them', async () => {
    const env = isolatedEnv({ HERALD_DATABASE_URL: db.url });
    const window = [
      '--from',
      new Date(stored.getTime() - 60_000).toISOString(),
      '--to',
      timeHigh.toISOString(),
    ];
    await db.pool.query(
      `INSERT INTO networks (group_id, name, network) SELECT id, 'lab-net', '172.16.0.0/16' FROM groups WHERE name = 'lab'`,
    );
    const dry = await runCli(['events', 'resolve', ...window, '--dry-run', '--json'], env);
    expect(dry.stderr).toBe('');
    expect(JSON.parse(dry.stdout)).toMatchObject({ examined: 3, moved: 1, nowReported: 1, dryRun: true });
    expect((await db.pool.query(`SELECT resolved_abuses FROM events WHERE id = 'lab-1'`)).rows[0]).toEqual({
      resolved_abuses: [],
    });

    const real = await runCli(['events', 'resolve', ...window, '--batch-size', '2'], env);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(
      /^3 events stored in \[.*\): 1 moved to other groups \(1 had no group and now have one, 0 now have none\)$/m,
    );
    const row = await db.pool.query(
      `SELECT resolved_abuses, event->'_Mentat'->'ResolvedAbuses' AS copy FROM events WHERE id = 'lab-1'`,
    );
    expect(row.rows[0]).toEqual({ resolved_abuses: ['lab'], copy: ['lab'] });

    const [lab] = await runGroups(['lab']);
    expect(lab!.severities.high?.result).toBe('reported');
    expect(lab!.severities.high?.counters).toMatchObject({ new: 1, rep: 1 });
    const received = (await mail.messages()).filter((m) => m.to.includes('soc@lab.test'));
    expect(received).toHaveLength(1);
    expect(received[0]!.text).toContain('172.16.5.5');
  });
});
