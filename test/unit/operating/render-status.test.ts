// The `herald status` text: the mail section and the events nothing may report (PostgreSQL's
// part of the dashboard).
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { renderDashboard } from '../../../client/operations/render-status';
import { type Dashboard, ZERO_RUNLOG } from '../../../client/operations/status';

const since = '2026-11-22T00:00:00.000Z';
const dashboard = (mail: Dashboard['mail'], unreported: Dashboard['unreported'] = null): Dashboard => ({
  at: '2026-11-23T00:00:00.000Z',
  temporal: { address: '127.0.0.1:7233', reachable: false, error: 'cannot reach it' },
  postgres: { reachable: mail !== null },
  taskQueue: 'herald',
  workers: [],
  pollers: [],
  schedules: [],
  running: [],
  runlog: {
    since,
    groups: [],
    total: { ...ZERO_RUNLOG },
  },
  mail,
  unreported,
  failed: [],
  monitorsInAlert: [],
});
const lines = (d: Dashboard) => stripVTControlCharacters(renderDashboard(d)).split('\n');

describe('status: mail', () => {
  it('counts the mails waiting, being retried and refused, and says why the newest attempt failed', () => {
    const out = lines(
      dashboard({
        pending: 3,
        retrying: 2,
        failedSince: 1,
        lastError: { at: '2026-11-22T23:59:00.000Z', error: 'Invalid login: 535 5.7.8 nope\nmore' },
      }),
    );
    const at = out.indexOf('mail');
    expect(at).toBeGreaterThan(0);
    expect(out.slice(at + 1, at + 3)).toEqual([
      `  3 pending, 2 being retried, 1 refused for good since ${since} (herald mail outbox)`,
      '  last failed attempt 2026-11-22T23:59:00.000Z: Invalid login: 535 5.7.8 nope',
    ]);
  });

  it('has no failure line when nothing failed, and no section without PostgreSQL', () => {
    const out = lines(dashboard({ pending: 0, retrying: 0, failedSince: 0, lastError: null }));
    expect(out[out.indexOf('mail') + 1]).toBe(
      `  0 pending, 0 being retried, 0 refused for good since ${since} (herald mail outbox)`,
    );
    expect(out.some((l) => l.startsWith('  last failed attempt'))).toBe(false);
    expect(lines(dashboard(null))).not.toContain('mail');
  });
});

describe('status: events nothing may report', () => {
  it("counts the last day's events with no group, no class, base-only and unknown categories", () => {
    const out = lines(
      dashboard(
        { pending: 0, retrying: 0, failedSince: 0, lastError: null },
        { since, stored: 140, noGroup: 35, noClass: 2, baseOnly: 4, unknownCategory: 18 },
      ),
    );
    const at = out.indexOf(`events stored since ${since} that nothing may report`);
    expect(at).toBeGreaterThan(0);
    expect(out[at + 1]).toBe(
      '  140 stored: 35 with no group, 2 with no class, 4 base-only, 18 with an unknown category (herald events search --no-group | --no-class | --base-only | --unknown-category)',
    );
    expect(lines(dashboard(null)).some((l) => l.includes('nothing may report'))).toBe(false);
  });
});
