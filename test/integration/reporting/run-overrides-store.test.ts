// `herald force` overrides for a one-step severity run whose step is running (migration 0630,
// db/reporting/run-overrides.ts): recorded until the run's reports are stored, refused after, and
// serialised with the step's render transaction by the run's render lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../../db/pool';
import { takeRenderLock } from '../../../db/reporting/render-lock';
import { saveRunOutcome } from '../../../db/reporting/run-outcomes';
import { loadRunOverrides, recordRunOverrides } from '../../../db/reporting/run-overrides';
import { ZERO_COUNTERS } from '../../../domain/reporting/chains';
import { freshDatabase, type TestDatabase } from '../../support/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const outcome = {
  counters: { ...ZERO_COUNTERS },
  fetched: { source: 0, target: 0 },
  filterHits: {},
  thresholded: 0,
  relapsed: 0,
};
const record = (runId: string, options: unknown) =>
  inTransaction(db.pool, (client) => recordRunOverrides(client, runId, options));

describe('run overrides', () => {
  it('are recorded while the run has stored nothing, the latest replacing the earlier', async () => {
    expect(await loadRunOverrides(db.pool, 'run-a')).toBeNull();
    expect(await record('run-a', { force: { mode: 'extra' }, mail: {} })).toBe(true);
    expect(await record('run-a', { force: { mode: 'none' }, mail: { mailTestMode: true } })).toBe(true);
    expect(await loadRunOverrides(db.pool, 'run-a')).toEqual({
      force: { mode: 'none' },
      mail: { mailTestMode: true },
    });
    expect(await loadRunOverrides(db.pool, 'run-other')).toBeNull();
  });

  it('are refused once the run has stored its outcome, and change nothing', async () => {
    expect(await record('run-b', { force: { mode: 'extra' }, mail: {} })).toBe(true);
    await inTransaction(db.pool, (client) => saveRunOutcome(client, 'run-b', outcome));
    expect(await record('run-b', { force: { mode: 'none' }, mail: {} })).toBe(false);
    expect(await loadRunOverrides(db.pool, 'run-b')).toEqual({ force: { mode: 'extra' }, mail: {} });
  });

  it('wait for a render transaction holding the lock, and are refused when it stored the outcome', async () => {
    const render = await db.pool.connect();
    try {
      await render.query('BEGIN');
      await takeRenderLock(render, 'run-c');
      let settled: boolean | undefined;
      const forced = record('run-c', { force: { mode: 'none' }, mail: {} }).then((applied) => {
        settled = applied;
        return applied;
      });
      // Still waiting on the lock while the render transaction is open.
      await new Promise((r) => setTimeout(r, 500));
      expect(settled).toBeUndefined();
      await saveRunOutcome(render, 'run-c', outcome);
      await render.query('COMMIT');
      expect(await forced).toBe(false);
    } finally {
      render.release();
    }
    expect(await loadRunOverrides(db.pool, 'run-c')).toBeNull();
  });
});
