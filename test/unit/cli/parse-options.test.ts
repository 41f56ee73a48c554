// The one reading of counts and times that every command's options share.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../client/errors';
import { parsePositiveInt, parseTime, TIME_FORMS } from '../../../client/parse-options';

function refusal(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('accepted');
}

describe('parsePositiveInt', () => {
  it('takes whole numbers from 1', () => {
    expect(parsePositiveInt('--limit', '1')).toBe(1);
    expect(parsePositiveInt('--limit', '50')).toBe(50);
    expect(parsePositiveInt('--limit', '1000000')).toBe(1_000_000);
  });

  it.each(['0', '-3', '1.5', '1e3', '0x10', '', 'ten', '99999999999999999999'])('refuses %j', (value) => {
    expect(refusal(() => parsePositiveInt('--limit', value)).message).toBe(
      `--limit: expected a positive integer (1, 2, ...), got "${value}"`,
    );
  });
});

describe('parseTime', () => {
  it.each([
    ['2026-12-03T07:19:30Z', '2026-12-03T07:19:30.000Z'],
    ['2026-12-03T07:19:30.25Z', '2026-12-03T07:19:30.250Z'],
    ['2026-12-03T08:19:30+01:00', '2026-12-03T07:19:30.000Z'],
    ['2026-12-03t07:19:30z', '2026-12-03T07:19:30.000Z'],
    ['2026-12-03', '2026-12-03T00:00:00.000Z'],
    ['1796282370', '2026-12-03T07:19:30.000Z'],
  ])('takes %s as %s', (value, iso) => {
    expect(parseTime('--from', value)).toBe(iso);
  });

  it('refuses a time of day without an offset, saying how to give one', () => {
    expect(refusal(() => parseTime('--storage-time', '2026-12-03T07:19:30')).message).toBe(
      '--storage-time: expected an RFC 3339 time with an offset (2026-12-03T07:19:30Z, 2026-12-03T08:19:30+01:00), ' +
        'a date (2026-12-03: midnight UTC) or Unix seconds, got "2026-12-03T07:19:30" (no offset: add Z for UTC)',
    );
  });

  it.each([
    '2026-02-30',
    '2026-02-30T10:00:00Z',
    '2026-13-01',
    '2026-12-03T25:00:00Z',
    'yesterday',
    '',
    '12/03/2026',
  ])('refuses %j', (value) => {
    expect(refusal(() => parseTime('--since', value)).message).toBe(
      `--since: expected ${TIME_FORMS}, got "${value}"`,
    );
  });
});
