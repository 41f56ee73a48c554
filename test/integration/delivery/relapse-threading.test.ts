// A relapse mail names the earlier report of its key in the body and threads to it with
// References / In-Reply-To (Mentat did this for extra reports only, and not in summary-only mode).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog, storeEvents } from '../reporting/support';

const MIN = 60_000;
const HOUR = 60 * MIN;
let db: TestDatabase;
let mail: MailCatcher;
const T0 = alignedPast(3 * 24 * 60);
const at = (ms: number) => new Date(T0.getTime() + ms);
const labels: string[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [{ name: 'acme', networks: [{ network: '192.0.2.0/24' }], emails: { high: ['soc@acme.test'] } }],
  });
  const ev = { group: 'acme', severity: 'high' as const, ip: '192.0.2.7', cls: 'attempt-login' };
  await storeEvents(db.pool, [ev], at(-5 * MIN));
  await storeEvents(db.pool, [ev], at(12 * HOUR + 30 * MIN)); // thresholded, inside the relapse window
  const taskQueue = randomTaskQueue('relapse-mail');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  const { client, close } = await testClient();
  try {
    await worker.run(async () => {
      for (const timeHigh of [at(0), at(13 * HOUR), at(24 * HOUR + 10 * MIN)]) {
        const result = await runGroup(client, taskQueue, {
          group: 'acme',
          timeHigh: timeHigh.toISOString(),
          severities: ['high'],
        });
        for (const r of result.severities.high?.reports ?? []) labels.push(r.label);
      }
    });
  } finally {
    await close();
  }
}, 120_000);

afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('relapse mails', () => {
  it('refer to the earlier report of the key in the body and in References / In-Reply-To', async () => {
    expect(labels).toHaveLength(2); // the first report and the relapse (the middle run thresholds)
    const [first, relapse] = labels as [string, string];
    const mails = await mail.messages();
    const original = mails.find((m) => m.messageId === `<${first}@csirt.test>`)!;
    const again = mails.find((m) => m.messageId === `<${relapse}@csirt.test>`)!;
    expect(original.headers.references).toBeUndefined();
    expect(again.headers.references).toBe(`<${first}@csirt.test>`);
    expect(again.headers['in-reply-to']).toBe(`<${first}@csirt.test>`);
    expect(again.text).toContain('Relapsed events (reported again)');
    expect(again.text).toContain(`Still seen after the earlier report ${first}.`);
    expect(again.html).toContain(`Still seen after the earlier report ${first}.`);
  });
});
