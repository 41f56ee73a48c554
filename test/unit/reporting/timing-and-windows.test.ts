import { describe, expect, it } from 'vitest';
import {
  floorTimeHigh,
  initialCursor,
  isDue,
  laterCursor,
  windowOf,
} from '../../../domain/reporting/time-window';
import { DEFAULT_TIMING, intervalSeconds, REPORTING_INTERVALS } from '../../../domain/reporting/timing';

const t = (iso: string) => Date.parse(iso);

describe('time_h flooring', () => {
  it('floors to the interval in UTC, dropping seconds and milliseconds', () => {
    expect(new Date(floorTimeHigh(t('2026-03-14T10:27:59.999Z'), 600)).toISOString()).toBe(
      '2026-03-14T10:20:00.000Z',
    );
    expect(new Date(floorTimeHigh(t('2026-03-14T10:20:00.000Z'), 600)).toISOString()).toBe(
      '2026-03-14T10:20:00.000Z',
    );
    expect(new Date(floorTimeHigh(t('2026-03-14T23:59:00Z'), 86400)).toISOString()).toBe(
      '2026-03-14T00:00:00.000Z',
    );
  });
  it('does not depend on the host time zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/St_Johns'; // UTC−3:30: a host-local flooring would be off by 30 min
    try {
      expect(new Date(floorTimeHigh(t('2026-03-14T10:45:00Z'), 3600)).toISOString()).toBe(
        '2026-03-14T10:00:00.000Z',
      );
    } finally {
      process.env.TZ = before;
    }
  });
  it('rejects a zero interval', () => {
    expect(() => floorTimeHigh(0, 0)).toThrow(/interval/);
  });
});

describe('due and too soon', () => {
  it('is due exactly when cursor + period ≤ time_h', () => {
    const cursor = t('2026-03-14T10:00:00Z');
    expect(isDue(cursor, 600, t('2026-03-14T10:10:00Z'))).toBe(true);
    expect(isDue(cursor, 600, t('2026-03-14T10:09:59Z'))).toBe(false);
    expect(isDue(cursor, 7200, t('2026-03-14T11:50:00Z'))).toBe(false);
  });
  it('starts a missing cursor one period back', () => {
    expect(new Date(initialCursor(t('2026-03-14T12:00:00Z'), 7200)).toISOString()).toBe(
      '2026-03-14T10:00:00.000Z',
    );
  });
  it('builds half-open windows and refuses empty ones', () => {
    expect(windowOf(t('2026-03-14T10:00:00Z'), t('2026-03-14T10:10:00Z'))).toEqual({
      from: '2026-03-14T10:00:00.000Z',
      to: '2026-03-14T10:10:00.000Z',
    });
    expect(() => windowOf(5, 5)).toThrow(/empty window/);
  });
  it('prefers the later of two cursors', () => {
    expect(laterCursor('2026-03-14T10:00:00.000Z', '2026-03-14T10:10:00.000Z')).toBe(
      '2026-03-14T10:10:00.000Z',
    );
    expect(laterCursor(undefined, '2026-03-14T10:10:00.000Z')).toBe('2026-03-14T10:10:00.000Z');
    expect(laterCursor(undefined, undefined)).toBeUndefined();
  });
});

describe('timing table', () => {
  it("keeps Mentat's defaults and fixes 11/12/13 days", () => {
    expect(DEFAULT_TIMING.critical).toEqual({ per: 600, thr: 7200, rel: 0 });
    expect(DEFAULT_TIMING.low).toEqual({ per: 86400, thr: 518400, rel: 172800 });
    expect(DEFAULT_TIMING.info).toEqual({ per: 86400, thr: 28 * 86400, rel: 7 * 86400 });
    expect(REPORTING_INTERVALS['11days']).toBe(11 * 86400);
    expect(REPORTING_INTERVALS['13days']).toBe(13 * 86400);
    expect(intervalSeconds('2hrs')).toBe(7200);
    expect(intervalSeconds(900)).toBe(900);
    expect(intervalSeconds('fortnight')).toBeUndefined();
  });
});
