import { describe, expect, it } from 'vitest';
import { LABEL_PATTERN, type ReportIdentity, reportKey, reportLabel } from '../../../domain/reporting/labels';
import {
  isLive,
  keyIp,
  thresholdKey,
  thresholdTimes,
  wholeClass,
} from '../../../domain/reporting/threshold-key';

const identity: ReportIdentity = {
  group: 'cesnet',
  severity: 'high',
  windowEnd: '2025-03-14T10:10:00.000Z',
  type: 'summary',
  chain: ['cesnet'],
  ip: null,
};

describe('report labels', () => {
  it("have Mentat's shape with the window end's date, type and severity", () => {
    const label = reportLabel(identity);
    expect(label).toMatch(LABEL_PATTERN);
    expect(label.startsWith('M20250314SH-')).toBe(true);
    expect(reportLabel({ ...identity, type: 'extra', ip: '192.0.2.1', severity: 'info' }).slice(0, 11)).toBe(
      'M20250314EI',
    );
    expect(reportLabel({ ...identity, type: 'target', severity: 'critical' }).slice(0, 11)).toBe(
      'M20250314TC',
    );
  });
  it('are a function of the identity: the same run gives the same label, another report another', () => {
    expect(reportLabel(identity)).toBe(reportLabel({ ...identity }));
    const others = [
      { ...identity, group: 'other' },
      { ...identity, windowEnd: '2025-03-14T10:20:00.000Z' },
      { ...identity, chain: ['cesnet', 'parent'] },
      { ...identity, testData: true },
    ].map((i) => reportLabel(i));
    expect(new Set([reportLabel(identity), ...others]).size).toBe(5);
    expect(reportKey(identity)).not.toBe(reportKey({ ...identity, ip: '192.0.2.1' }));
  });
  it('tell apart chains that differ only in their fallback groups, and keep the keys of those without', () => {
    expect(reportKey({ ...identity, fallback: [] })).toBe(
      '["cesnet","high","2025-03-14T10:10:00.000Z","summary",["cesnet"],null,false]',
    );
    expect(reportLabel({ ...identity, fallback: ['base'] })).not.toBe(
      reportLabel({ ...identity, fallback: [] }),
    );
  });
  it('give a different candidate for a collision retry', () => {
    expect(reportLabel(identity, 1)).not.toBe(reportLabel(identity));
    expect(reportLabel(identity, 1)).toMatch(LABEL_PATTERN);
  });
  it('spread over the 5-character space (no collisions among 5,000 extras of one run)', () => {
    const labels = new Set<string>();
    for (let i = 0; i < 5000; i++)
      labels.add(reportLabel({ ...identity, type: 'extra', ip: `10.0.${i >> 8}.${i & 255}` }));
    expect(labels.size).toBe(5000);
  });
});

describe('threshold keys', () => {
  it('use the whole class, else the categories', () => {
    expect(wholeClass('vulnerable-config-ssdp', [], ['Vulnerable.Config'])).toBe('vulnerable-config-ssdp');
    expect(wholeClass('attempt-login', ['ssh', 'telnet'], [])).toBe('attempt-login/ssh, telnet');
    expect(wholeClass(null, [], ['Recon.Scanning', 'Test'])).toBe('Recon.Scanning/Test');
    expect(thresholdKey('attempt-login/ssh', '2001:db8::1')).toBe('attempt-login/ssh+++2001:db8::1');
    expect(keyIp('attempt-login/ssh+++2001:db8::1')).toBe('2001:db8::1');
  });
  it('compute the suppression and relapse times Mentat uses', () => {
    const T = Date.parse('2026-03-01T00:00:00Z');
    const low = thresholdTimes(T, 518400, 172800);
    expect(new Date(low.ttlTime).toISOString()).toBe('2026-03-07T00:00:00.000Z');
    expect(new Date(low.relapseTime).toISOString()).toBe('2026-03-05T00:00:00.000Z');
    const critical = thresholdTimes(T, 7200, 0);
    expect(critical.relapseTime).toBe(critical.ttlTime);
    expect(isLive(low.ttlTime, low.ttlTime)).toBe(true);
    expect(isLive(low.ttlTime, low.ttlTime + 1)).toBe(false);
  });
});
