// A severity run with 100,000 events in its window keeps a small history (< 200
// events, no payload over 64 KB): events stay in PostgreSQL, activities exchange counters and ids.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import type { ReportGroupResult } from '../../../workflows/report-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { alignedPast, reportingActivities, runGroup, seedCatalog } from './support';

const EVENTS = 100_000;
let db: TestDatabase;
let mail: MailCatcher;
let client: Client;
let closeClient: () => Promise<void>;
let result: ReportGroupResult;
let groupWorkflowId: string;
const timeHigh = alignedPast(30);

beforeAll(async () => {
  db = await freshDatabase();
  mail = await startMailCatcher({ smtpPort: 0 });
  await seedCatalog(db.pool, {
    groups: [{ name: 'big', networks: [{ network: '10.20.0.0/16' }], emails: { medium: ['soc@big.test'] } }],
  });
  // 100,000 events, 2,000 source IPs, in one medium window (2 h).
  await db.pool.query(
    `INSERT INTO events (id, storage_time, detect_time, categories, source_ips, node_names, resolved_abuses,
                         event_class, event_severity, event)
     SELECT 'big-' || i, $1::timestamptz - (1 + i % 7000) * interval '1 second', $1::timestamptz - interval '3 hours',
            ARRAY['Recon.Scanning'], ARRAY[('10.20.' || (i % 8) || '.' || (i % 250))::inet], ARRAY['cz.example.sensor'],
            ARRAY['big'], 'recon-scanning', 'medium', jsonb_build_object('ID', 'big-' || i)
       FROM generate_series(1, $2) AS i`,
    [timeHigh, EVENTS],
  );
  ({ client, close: closeClient } = await testClient());
  const taskQueue = randomTaskQueue('history');
  const worker = await createTestWorker({
    taskQueue,
    activities: reportingActivities(db.pool, mail.smtpUrl),
  });
  result = await worker.run(async () => {
    const r = await runGroup(client, taskQueue, {
      group: 'big',
      timeHigh: timeHigh.toISOString(),
      severities: ['medium'],
    });
    return r;
  });
  groupWorkflowId = result.severities.medium!.workflowId!;
}, 180_000);

afterAll(async () => {
  await closeClient?.();
  await mail?.close();
  await db?.drop();
});

/** Largest payload (bytes) anywhere in a history event. */
function largestPayload(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return value.length;
  let max = 0;
  for (const v of Object.values(value as Record<string, unknown>)) max = Math.max(max, largestPayload(v));
  return max;
}

describe('history size with 100,000 events', () => {
  it('reports them all', () => {
    expect(result.severities.medium).toMatchObject({
      result: 'reported',
      counters: { new: EVENTS, rep: EVENTS },
    });
  });

  it('keeps the severity run under 200 history events with no payload over 64 KB', async () => {
    const history = await client.workflow.getHandle(groupWorkflowId).fetchHistory();
    const events = history.events ?? [];
    expect(events.length).toBeGreaterThan(10);
    expect(events.length).toBeLessThan(200);
    expect(Math.max(...events.map(largestPayload))).toBeLessThan(64 * 1024);
  });

  it('stores the event IDs beside the report, not in it', async () => {
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n, (SELECT pg_column_size(statistics) FROM reports LIMIT 1) AS stats_bytes
         FROM report_events`,
    );
    expect(rows[0].n).toBe(EVENTS);
    expect(rows[0].stats_bytes).toBeLessThan(4096);
  });
});
