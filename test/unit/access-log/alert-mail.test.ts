// The alert mail: both parts say what happened; every value in the HTML part is escaped.
import { describe, expect, it } from 'vitest';
import { renderAccessLogAlertMail } from '../../../emails/access-log-alert';

const alert = {
  source: 'web<1>&"x"',
  state: 'alert' as const,
  at: '2026-01-15T10:27:00.000Z',
  hits: 93,
  average: 60.5,
  threshold: 10,
  rule: 'above-average',
  windowSeconds: 120,
};

describe('access-log alert mail', () => {
  it('renders subject, text and escaped HTML', () => {
    const mail = renderAccessLogAlertMail(alert);
    expect(mail.subject).toBe('[herald] ALERT: High traffic on web<1>&"x": 93 hits in the last 2 min');
    expect(mail.text).toContain('Limit:');
    expect(mail.text).toContain('average 60.50 + 10 = 70.50 hits');
    expect(mail.text).toContain('2026-01-15T10:27:00.000Z');
    expect(mail.html).toContain('web&lt;1&gt;&amp;&quot;x&quot;');
    expect(mail.html).not.toContain('web<1>');
  });

  it('describes a recovery and the rate rule in requests per second', () => {
    const mail = renderAccessLogAlertMail({
      ...alert,
      source: 'web1',
      state: 'recovered',
      rule: 'rate',
      threshold: 0.5,
      hits: 48,
    });
    expect(mail.subject).toBe(
      '[herald] RECOVERED: Traffic on web1 back to normal: 48 hits in the last 2 min',
    );
    expect(mail.text).toContain('0.50 requests/s (0.40 requests/s now)');
  });
});
