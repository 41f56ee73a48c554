// `monitor tail --print`: one line per closed bucket, and the alert and recovery lines in the
// seed's own words (docs/access-log-monitor.md "Live output") followed by the bucket's log time.
// `--print=json` writes the seed's statistics object per bucket instead.
import type { ClosedBucketReport } from '../../domain/access-log/types';

export type PrintFormat = 'text' | 'json';

const iso = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString();

/** An average as the seed (Python 3 true division) prints a float: 95.0, 95.5, 95.33333333333333. */
export function seedNumber(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** The seed's alert or recovery sentence, then the log time of the bucket whose close caused it. */
export function alertLine(transition: NonNullable<ClosedBucketReport['transition']>): string {
  const words = transition.state === 'alert' ? 'ALERT: Traffic is high!' : 'ALERT: Traffic back to normal.';
  return `${words} Hits ${transition.hits} vs average ${seedNumber(transition.average)} at ${transition.at}`;
}

export function bucketLine(b: ClosedBucketReport): string {
  const top = b.topSections.length ? b.topSections.map(([s, n]) => `${s} ${n}`).join(', ') : '-';
  const s = b.status;
  return (
    `${iso(b.start)} hits ${b.hits} bytes ${b.bytes} ` +
    `2xx ${s['2xx']} 3xx ${s['3xx']} 4xx ${s['4xx']} 5xx ${s['5xx']} top ${top}`
  );
}

/** The seed's statistics object (cumulative), with the bucket's end as `at`. */
export function statisticsObject(b: ClosedBucketReport) {
  return {
    section_hits: b.sectionHits,
    total_hits: b.totalHits,
    most_popular_section: b.mostPopularSection,
    at: iso(b.end),
  };
}

/** Lines for stdout and (json: the alert sentences, keeping stdout one JSON object a line) stderr. */
export function formatClosedBucket(
  b: ClosedBucketReport,
  format: PrintFormat,
): { stdout: string[]; stderr: string[] } {
  const alert = b.transition ? [alertLine(b.transition)] : [];
  if (format === 'json') return { stdout: [JSON.stringify(statisticsObject(b))], stderr: alert };
  return { stdout: [bucketLine(b), ...alert], stderr: [] };
}
