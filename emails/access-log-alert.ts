// The mail sent on an access-log alert transition: a plain-text part and an HTML part rendered
// from the react-email template (React escapes every interpolated value). Synchronous, so the
// monitor's activity keeps its interface: react-dom's static renderer instead of the async render().
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { AccessLogAlertEmail } from './templates/access-log-alert';

export interface AccessLogAlertMail {
  source: string;
  state: 'alert' | 'recovered';
  at: string;
  hits: number;
  average: number;
  threshold: number;
  rule: string;
  windowSeconds: number;
}

const round = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

function describe(alert: AccessLogAlertMail): { headline: string; facts: [string, string][] } {
  const minutes = alert.windowSeconds / 60;
  const span = Number.isInteger(minutes) ? `${minutes} min` : `${alert.windowSeconds} s`;
  const limit =
    alert.rule === 'rate'
      ? `${round(alert.threshold)} requests/s (${round(alert.hits / alert.windowSeconds)} requests/s now)`
      : `average ${round(alert.average)} + ${round(alert.threshold)} = ${round(alert.average + alert.threshold)} hits`;
  const headline =
    alert.state === 'alert'
      ? `High traffic on ${alert.source}: ${alert.hits} hits in the last ${span}`
      : `Traffic on ${alert.source} back to normal: ${alert.hits} hits in the last ${span}`;
  return {
    headline,
    facts: [
      ['Source', alert.source],
      ['State', alert.state],
      ['At (end of bucket, UTC)', alert.at],
      [`Hits in the last ${span}`, String(alert.hits)],
      ['Limit', limit],
      ['Rule', alert.rule],
    ],
  };
}

export function renderAccessLogAlertMail(alert: AccessLogAlertMail): {
  subject: string;
  text: string;
  html: string;
} {
  const { headline, facts } = describe(alert);
  const subject = `[herald] ${alert.state === 'alert' ? 'ALERT' : 'RECOVERED'}: ${headline}`;
  const width = Math.max(...facts.map(([k]) => k.length));
  const text = `${headline}\n\n${facts.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')}\n\n-- \nherald access-log monitor\n`;
  const html = `<!DOCTYPE html>${renderToStaticMarkup(createElement(AccessLogAlertEmail, { subject, headline, facts }))}\n`;
  return { subject, text, html };
}
