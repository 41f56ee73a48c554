import { describe, expect, it } from 'vitest';
import { scheduleOptions } from '../../../client/reporting/schedules';
import type { CatalogGroup } from '../../../db/reporting/catalog';

const group = { name: 'acme', intervalSeconds: 1800, enabled: true } as CatalogGroup;

describe('schedule options for `schedules sync`', () => {
  it('runs the group every interval with overlap SKIP and names the group', () => {
    const options = scheduleOptions(group, 'herald');
    expect(options.scheduleId).toBe('report:acme');
    expect(options.spec).toEqual({ intervals: [{ every: '1800s' }] });
    expect(options.policies?.overlap).toBe('SKIP');
    expect((options.action as { args: unknown[] }).args).toEqual([{ group: 'acme', runKind: 'schedule' }]);
  });

  it('keeps a stored override and its expiry when the schedule is rewritten', () => {
    const previous = {
      group: 'acme',
      runKind: 'schedule' as const,
      force: { mode: 'none' as const },
      forceUntil: '2026-12-01T00:00:00.000Z',
    };
    const args = (scheduleOptions(group, 'herald', previous).action as { args: unknown[] }).args;
    expect(args).toEqual([previous]);
  });

  it('drops an expiry that has no override left', () => {
    const previous = { group: 'acme', runKind: 'schedule' as const, forceUntil: '2026-12-01T00:00:00.000Z' };
    const args = (scheduleOptions(group, 'herald', previous).action as { args: unknown[] }).args;
    expect(args).toEqual([{ group: 'acme', runKind: 'schedule' }]);
  });
});
