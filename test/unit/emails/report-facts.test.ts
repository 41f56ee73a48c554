// What a report mail says about itself: attachment sentences in the right plural form, the
// summary named by an extra report only to recipients who received it, and the report's
// statistics (classes, categories, source addresses) among the facts.
import { describe, expect, it } from 'vitest';
import { type ReportData, renderReport } from '../../../emails/render-report';

const extra: ReportData = {
  label: 'M20260314EH-EXTRA',
  type: 'extra',
  severity: 'high',
  group: 'acme',
  ip: '192.0.2.1',
  window: { from: '2026-03-14T10:00:00Z', to: '2026-03-14T10:10:00Z' },
  testData: false,
  parentLabel: 'M20260314SH-SUMMA',
  counters: { rep: 1 },
  regular: {},
  relapsed: {},
  references: {},
};

describe('report facts', () => {
  it('says "1 event" and "1 událost", not "1 events"', async () => {
    const one = { ...extra, attachment: { filename: 'r.csv', events: 1, omitted: 1 } };
    const en = await renderReport(one, 'en', 'UTC');
    expect(en.text).toContain('The event is attached as r.csv.');
    expect(en.text).toContain('1 event did not fit into the attachment size limit and is not attached.');
    expect(en.text).not.toMatch(/\b1 events\b/);
    const cs = await renderReport(
      { ...one, attachment: { filename: 'r.csv', events: 3, omitted: 1 } },
      'cs',
      'UTC',
    );
    expect(cs.text).toContain('Události jsou v příloze r.csv (3 události).');
    expect(cs.text).toContain('1 událost se nevešla do limitu velikosti přílohy a není přiložena.');
    const many = await renderReport(
      { ...extra, attachment: { filename: 'r.csv', events: 5, omitted: 0 } },
      'en',
      'UTC',
    );
    expect(many.text).toContain('The events are attached as r.csv (5 events).');
  });

  it('names the summary only when the recipients received it', async () => {
    const unseen = await renderReport(extra, 'en', 'UTC');
    expect(unseen.text).not.toContain('M20260314SH-SUMMA');
    expect(unseen.html).not.toContain('M20260314SH-SUMMA');
    const seen = await renderReport({ ...extra, parentReceived: true }, 'en', 'UTC');
    expect(seen.text).toMatch(/^Part of report: +M20260314SH-SUMMA$/m);
  });

  it('lists classes and categories with their event counts, and the number of source addresses', async () => {
    const mail = await renderReport(
      {
        ...extra,
        statistics: {
          classes: { 'recon-scanning': 2, 'attempt-login': 1 },
          categories: { 'Recon.Scanning': 3 },
          sources: { '192.0.2.1': 2, '192.0.2.2': 1, __unknown__: 1 },
        },
      },
      'en',
      'UTC',
    );
    expect(mail.text).toMatch(/^Event classes: +recon-scanning \(2\), attempt-login \(1\)$/m);
    expect(mail.text).toMatch(/^Categories: +Recon\.Scanning \(3\)$/m);
    expect(mail.text).toMatch(/^Source addresses: +2$/m);
    expect(mail.html).toContain('recon-scanning (2), attempt-login (1)');
  });
});
