// The monitor continues as new every few batches (a small history threshold) while the tailer keeps
// sending: after several cycles its totals, buckets, alert state and alert history are intact.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tailAccessLog } from '../../../client/monitor/tailer';
import { repoRoot } from '../../../config/paths';
import { defaultMonitorConfig } from '../../../domain/access-log/types';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { monitorWorkflowId } from '../../../workflows/access-log-messages';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue, testClient } from '../../support/temporal';
import { monitorActivities, monitorStatus, seedTransitions } from './helpers';

const SAMPLE = path.join(repoRoot, 'test/fixtures/access-log/sample-access.log');
const SAMPLE_START = Date.parse('2026-01-15T10:00:00Z') / 1000;

let db: TestDatabase;
let mail: MailCatcher;
beforeAll(async () => {
  [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
});
afterAll(async () => {
  await mail?.close();
  await db?.drop();
});

describe('access-log monitor continue-as-new', () => {
  it('runs through several continue-as-new cycles without losing state or alerts', async () => {
    const source = `can-${Date.now()}`;
    const taskQueue = randomTaskQueue('monitor-can');
    const { client, close } = await testClient();
    const worker = await createTestWorker({ taskQueue, activities: monitorActivities(db, mail.smtpUrl) });
    const expected = seedTransitions(
      generateAccessLog({ start: SAMPLE_START, seed: 7 }).perBucket,
      SAMPLE_START,
    );
    try {
      await worker.run(async () => {
        const handle = client.workflow.getHandle(monitorWorkflowId(source));
        let firstRunId: string | undefined;
        await tailAccessLog(
          { client, taskQueue, source, config: defaultMonitorConfig, maxBatchesPerRun: 3 },
          {
            file: SAMPLE,
            format: 'combined',
            fromStart: true,
            untilEof: true,
            batchLines: 100,
            onFlush: async () => {
              firstRunId ??= (await handle.describe()).runId;
            },
          },
        );
        const status = await monitorStatus(client, source);
        expect(status.generation).toBeGreaterThanOrEqual(3);
        expect((await handle.describe()).runId).not.toBe(firstRunId);
        expect(status.totals).toMatchObject({ lines: 2018, hits: 2018, parseErrors: 0, late: 0 });
        expect(status.alerts.map(({ state, at, hits, average }) => ({ state, at, hits, average }))).toEqual(
          expected,
        );
        expect(status.alert.active).toBe(false);

        // Every transition reached PostgreSQL exactly once across the runs.
        const deadline = Date.now() + 20_000;
        let rows: { state: string; at: Date }[] = [];
        while (Date.now() < deadline) {
          rows = (await db.pool.query('SELECT state, at FROM alerts WHERE source = $1 ORDER BY at', [source]))
            .rows;
          if (rows.length >= expected.length) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(rows.map((r) => [r.state, r.at.toISOString()])).toEqual(expected.map((t) => [t.state, t.at]));
      });
    } finally {
      await close();
    }
  });
});
