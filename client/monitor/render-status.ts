// The terminal view of `monitor status`: the seed's console output done well.
import type { MonitorStatus } from '../../domain/access-log/status-view';
import { formatTable, paint } from '../output';

const num = (n: number | null, digits = 1) =>
  n === null ? '-' : Number.isInteger(n) ? String(n) : n.toFixed(digits);

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function renderStatus(status: MonitorStatus): string {
  const lines: string[] = [];
  const { config, window: w } = status;
  lines.push(
    `${paint('bold', `access-log monitor ${status.source}`)}  (${config.refresh} s buckets, ${config.window} s window, rule ${config.rule}, threshold ${config.threshold})`,
  );
  lines.push(`log time watermark: ${status.watermark ?? '(no lines yet)'}`);
  if (status.alert.active)
    lines.push(
      paint(
        ['bold', 'red'],
        `ALERT since ${status.alert.since ?? '?'}: ${w.hits} hits in the last ${config.window} s (limit ${num(w.limit)})`,
      ),
    );
  else lines.push(paint('green', 'traffic normal'));
  lines.push(
    `window: ${w.hits} hits in ${w.buckets} bucket(s)${w.full ? '' : ' (filling)'}; average ${num(w.average)}; alert above ${num(w.limit)}`,
  );
  const t = status.totals;
  lines.push(
    `totals: ${t.hits} hits, ${bytes(t.bytes)}, ${t.parseErrors} parse error(s), ${t.late} late; ` +
      `2xx ${t.status['2xx']} 3xx ${t.status['3xx']} 4xx ${t.status['4xx']} 5xx ${t.status['5xx']}`,
  );
  if (status.mostPopularSection) lines.push(`most popular section: ${status.mostPopularSection}`);
  const recent = status.recentBuckets.slice(-12);
  if (recent.length > 0) {
    lines.push('', paint('bold', 'recent buckets'));
    lines.push(
      formatTable(
        ['bucket start (UTC)', 'hits', 'bytes', '2xx', '3xx', '4xx', '5xx', 'top sections'],
        recent.map((b) => [
          b.start.replace('T', ' ').slice(0, 19),
          b.hits,
          b.bytes,
          b.status['2xx'],
          b.status['3xx'],
          b.status['4xx'],
          b.status['5xx'],
          b.topSections.map((s) => `${s.section} ${s.hits}`).join(', '),
        ]),
      ),
    );
  }
  if (status.topSections.length > 0) {
    lines.push('', paint('bold', 'top sections'));
    lines.push(
      formatTable(
        ['section', 'hits'],
        status.topSections.map((s) => [s.section, s.hits]),
      ),
    );
  }
  if (status.alerts.length > 0) {
    lines.push('', paint('bold', 'alert history'));
    lines.push(
      formatTable(
        ['at (UTC)', 'state', 'hits', 'average'],
        status.alerts.slice(-10).map((a) => [a.at, a.state, a.hits, num(a.average, 2)]),
      ),
    );
  }
  return lines.join('\n');
}
