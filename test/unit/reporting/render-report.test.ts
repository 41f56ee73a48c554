import { describe, expect, it } from 'vitest';
import { type ReportData, renderReport } from '../../../emails/render-report';

const base: ReportData = {
  label: 'M20260314SH-ABCDE',
  type: 'summary',
  severity: 'high',
  group: 'acme',
  ip: null,
  window: { from: '2026-03-14T10:00:00.000Z', to: '2026-03-14T10:10:00.000Z' },
  testData: false,
  parentLabel: null,
  counters: { rep: 2 },
  regular: {
    '<script>alert(1)</script>': {
      '192.0.2.1': {
        count: 2,
        firstTime: '2026-03-14T10:01:00Z',
        lastTime: '2026-03-14T10:02:00Z',
        detectors: ['d'],
        connCount: 0,
      },
    },
  },
  relapsed: {},
  references: {},
};

describe('renderReport', () => {
  it("uses Mentat's subjects", async () => {
    expect((await renderReport(base, 'en', 'UTC')).subject).toBe(
      '[M20260314SH-ABCDE] High - Notice about possible problems in your network',
    );
    expect(
      (
        await renderReport(
          { ...base, type: 'extra', ip: '192.0.2.1', label: 'M20260314EH-ABCDE' },
          'en',
          'UTC',
        )
      ).subject,
    ).toBe('[M20260314EH-ABCDE] High - Notice about possible problems regarding host 192.0.2.1');
    expect(
      (await renderReport({ ...base, type: 'target', label: 'M20260314TH-ABCDE' }, 'en', 'UTC')).subject,
    ).toBe('[M20260314TH-ABCDE] High - Notice about attacks against your network');
    expect((await renderReport(base, 'cs', 'Europe/Prague')).subject).toBe(
      '[M20260314SH-ABCDE] Vysoká - Upozornění na možné problémy ve vaší síti',
    );
  });
  it('escapes event data in HTML and shows times in the time zone', async () => {
    const mail = await renderReport(base, 'en', 'Europe/Prague');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('<script>alert(1)</script>');
    expect(mail.text).toMatch(/11:01:00/); // 10:01 UTC in Prague (CET)
  });
  it('never puts a line break into the subject', async () => {
    expect(
      (await renderReport({ ...base, type: 'extra', ip: '1.2.3.4\r\nBcc: x@y' }, 'en', 'UTC')).subject,
    ).not.toMatch(/[\r\n]/);
  });
});
