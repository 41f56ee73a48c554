// The report templates: both parts carry the same content, event data stays text, lists stop at
// 15 with "and N more", the text part fits 90 columns, en/cs words, dates and numbers, the
// second template set, Mentat headers and relapse threading.
import { describe, expect, it } from 'vitest';
import {
  type ClassTable,
  earlierMessageIds,
  mentatHeaders,
  type ReportData,
  renderReport,
} from '../../../emails/render-report';
import { wrap } from '../../../emails/wrap';

function ips(n: number, extra: Partial<ClassTable[string][string]> = {}): ClassTable[string] {
  const rows: ClassTable[string] = {};
  for (let i = 1; i <= n; i++)
    rows[`192.0.2.${i}`] = {
      count: 1000 + i,
      firstTime: '2026-03-14T10:01:00Z',
      lastTime: '2026-03-14T10:02:00Z',
      detectors: ['cz.example.sensor'],
      connCount: 12345,
      ports: Array.from({ length: 20 }, (_, p) => String(1000 + p)),
      protocols: ['tcp'],
      ...extra,
    };
  return rows;
}

const base: ReportData = {
  label: 'M20260314SH-ABCDE',
  type: 'summary',
  severity: 'high',
  group: 'acme',
  ip: null,
  window: { from: '2026-03-14T10:00:00.000Z', to: '2026-03-14T10:10:00.000Z' },
  testData: false,
  parentLabel: null,
  counters: { rep: 1234567 },
  regular: { 'recon-scanning': ips(18) },
  relapsed: {},
  references: {},
  classes: {
    'recon-scanning': { en: 'Network scanning', cs: 'Skenování sítě', reference: 'https://csirt.test/c' },
  },
};

const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>';

describe('report mails', () => {
  it('escapes event data in the HTML part and keeps it as text in the plain part', async () => {
    const mail = await renderReport(
      {
        ...base,
        regular: { [hostile]: ips(1, { detectors: [hostile], protocols: [hostile] }) },
        classes: { x: { en: hostile, cs: '', reference: 'javascript:alert(1)' } },
      },
      'en',
      'UTC',
    );
    expect(mail.html).not.toMatch(/<script|<img/i);
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).toContain(hostile);
  });

  it('lists at most 15 items with "and N more", in both parts', async () => {
    const mail = await renderReport(base, 'en', 'UTC');
    expect(mail.text).toContain('192.0.2.15');
    expect(mail.text).not.toContain('192.0.2.16');
    expect(mail.text).toContain('… and 3 more');
    expect(mail.text.replace(/\s+/g, ' ')).toContain(
      'Ports: 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014 and 5 more',
    );
    expect(mail.html).toContain('192.0.2.15');
    expect(mail.html).not.toContain('192.0.2.16');
    expect(mail.html).toContain('and 3 more');
  });

  it('wraps the text part at 90 columns', async () => {
    const long = { ...base, group: `acme ${'very-long-group-name '.repeat(10)}` };
    const mail = await renderReport(long, 'en', 'UTC');
    const lines = mail.text.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(90);
    expect(wrap('x'.repeat(200))).toEqual(['x'.repeat(90), 'x'.repeat(90), 'x'.repeat(20)]);
  });

  it('speaks Czech for cs: subject, headings, class labels, dates, numbers and plurals', async () => {
    const mail = await renderReport(base, 'cs', 'Europe/Prague');
    expect(mail.subject).toBe('[M20260314SH-ABCDE] Vysoká - Upozornění na možné problémy ve vaší síti');
    expect(mail.text).toContain('Skenování sítě (recon-scanning)');
    expect(mail.text).toContain('Časové okno:');
    expect(mail.text).toContain('14. 3. 2026 11:00:00 SEČ'); // 10:00 UTC in Prague, Czech format
    expect(mail.text).toContain('1\u00a0234\u00a0567'); // Czech digit grouping
    expect(mail.text).toContain('… a 3 další');
    expect(mail.html).toContain('lang="cs"');
    expect(mail.html).toContain('Poprvé');
    const en = await renderReport(base, 'en', 'America/New_York');
    expect(en.text).toContain('14 Mar 2026, 06:00:00 GMT-4');
    expect(en.text).toContain('1,234,567');
  });

  it('renders the same report with the second template set', async () => {
    const d = await renderReport(base, 'en', 'UTC', 'default');
    const c = await renderReport(base, 'en', 'UTC', 'compact');
    expect(c.subject).toBe(d.subject);
    expect(c.html).not.toBe(d.html);
    expect(c.text).not.toBe(d.text);
    expect(c.text).toContain('recon-scanning 192.0.2.1 ×1,001');
    expect(c.text).toContain('recon-scanning: and 3 more');
    expect((await renderReport(base, 'en', 'UTC', 'no-such-template')).text).toBe(d.text);
  });

  it('marks relapsed events with the earlier report, and threads the mail to it', async () => {
    const relapse: ReportData = {
      ...base,
      regular: {},
      relapsed: { 'recon-scanning': ips(2, { earlierLabel: 'M20260313SH-OLD01' }) },
    };
    const mail = await renderReport(relapse, 'en', 'UTC');
    expect(mail.text).toContain('Relapsed events (reported again)');
    expect(mail.text).toContain('Still seen after the earlier report M20260313SH-OLD01.');
    expect(earlierMessageIds(relapse, 'csirt.test')).toEqual(['<M20260313SH-OLD01@csirt.test>']);
    expect(earlierMessageIds(base, 'csirt.test')).toEqual([]);
  });

  it("writes Mentat's headers, with parent and source IP for extra reports", () => {
    expect(mentatHeaders(base)).toEqual({
      'X-Mentat-Report-Class': 'events',
      'X-Mentat-Report-Type': 'summary',
      'X-Cesnet-Report-Type': 'summary',
      'X-Mentat-Report-Id': 'M20260314SH-ABCDE',
      'X-Cesnet-Report-Id': 'M20260314SH-ABCDE',
      'X-Mentat-Report-Severity': 'high',
      'X-Cesnet-Report-Severity': 'high',
      'X-Mentat-Report-Event-Count': '1234567',
      'X-Mentat-Report-Time-Window': '2026-03-14T10:00:00.000Z___2026-03-14T10:10:00.000Z',
      'X-Mentat-Report-Test-Data': 'False',
    });
    const extra = mentatHeaders({
      ...base,
      type: 'extra',
      ip: '192.0.2.1',
      parentLabel: 'M20260314SH-ABCDE',
      testData: true,
    });
    expect(extra).toMatchObject({
      'X-Mentat-Report-Parent-Id': 'M20260314SH-ABCDE',
      'X-Mentat-Report-Src-IP': '192.0.2.1',
      'X-Cesnet-Report-Srcip': '192.0.2.1',
      'X-Mentat-Report-Test-Data': 'True',
    });
  });

  it('tells in the body what is attached and what did not fit', async () => {
    const mail = await renderReport(
      {
        ...base,
        attachment: { filename: 'security-report-M20260314SH-ABCDE.json.gz', events: 900, omitted: 100 },
      },
      'en',
      'UTC',
    );
    expect(mail.text).toContain(
      'The events are attached as security-report-M20260314SH-ABCDE.json.gz (900 events).',
    );
    expect(mail.text).toContain('100 events did not fit into the attachment size limit');
    expect(mail.html).toContain('100 events did not fit');
  });
});
