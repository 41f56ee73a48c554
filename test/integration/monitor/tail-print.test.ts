// `herald monitor tail --print` on the demo log: one line per closed bucket and the alert and
// recovery lines in the original monitor's words, with the bucket's log time; `--print=json` the
// original's statistics object per bucket.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../config/paths';
import { generateAccessLog } from '../../../scripts/demo/generate-access-log';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { createTestWorker, randomTaskQueue } from '../../support/temporal';
import { cliEnv, monitorActivities, runCli, seedTransitions } from './helpers';

const SAMPLE = path.join(repoRoot, 'test/fixtures/access-log/sample-access.log');
const SAMPLE_START = Date.parse('2026-01-15T10:00:00Z') / 1000;

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const pyFloat = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

describe('monitor tail --print', () => {
  it('prints every closed bucket and the seed-worded alert lines; --print=json the statistics object', async () => {
    const generated = generateAccessLog({ start: SAMPLE_START, seed: 7 });
    const expected = seedTransitions(generated.perBucket, SAMPLE_START);
    const taskQueue = randomTaskQueue('monitor-print');
    const worker = await createTestWorker({
      taskQueue,
      activities: monitorActivities(db, 'smtp://127.0.0.1:9'), // no recipients: no mail
    });
    const env = cliEnv(db, taskQueue, repoRoot);
    await worker.run(async () => {
      const text = await runCli(
        [
          'monitor',
          'tail',
          SAMPLE,
          '--source',
          `print-${Date.now()}`,
          '--from-start',
          '--until-eof',
          '--print',
        ],
        env,
      );
      expect(text.code).toBe(0);
      const lines = text.stdout.trimEnd().split('\n');
      const buckets = lines.filter((l) => !l.startsWith('ALERT:'));
      expect(buckets).toHaveLength(generated.perBucket.length);
      // Bucket lines: start time, hits, bytes, status classes, top sections.
      expect(buckets[0]).toMatch(
        /^2026-01-15T10:00:00\.000Z hits \d+ bytes \d+ 2xx \d+ 3xx \d+ 4xx \d+ 5xx \d+ top \/\S* \d+/,
      );
      expect(buckets.map((l) => Number(/ hits (\d+) /.exec(l)![1]))).toEqual(generated.perBucket);
      expect(lines.filter((l) => l.startsWith('ALERT:'))).toEqual(
        expected.map(
          (t) =>
            `${t.state === 'alert' ? 'ALERT: Traffic is high!' : 'ALERT: Traffic back to normal.'} Hits ${t.hits} vs average ${pyFloat(t.average)} at ${t.at}`,
        ),
      );
      // Each alert line follows the line of the bucket whose close caused it (ending at its time).
      const first = lines.findIndex((l) => l.startsWith('ALERT:'));
      const bucketEnd = new Date(Date.parse(lines[first - 1]!.slice(0, 24)) + 10_000).toISOString();
      expect(bucketEnd).toBe(expected[0]!.at);

      const json = await runCli(
        [
          'monitor',
          'tail',
          SAMPLE,
          '--source',
          `print-json-${Date.now()}`,
          '--from-start',
          '--until-eof',
          '--print=json',
        ],
        env,
      );
      expect(json.code).toBe(0);
      const objects = json.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(objects).toHaveLength(generated.perBucket.length);
      const last = objects.at(-1)!;
      expect(Object.keys(last)).toEqual(['section_hits', 'total_hits', 'most_popular_section', 'at']);
      expect(last.total_hits).toBe(generated.lines.length);
      const sectionHits = last.section_hits as Record<string, number>;
      expect(last.most_popular_section).toBe(Object.keys(sectionHits)[0]);
      expect(json.stderr).toContain('ALERT: Traffic is high! Hits');
    });
  });
});
