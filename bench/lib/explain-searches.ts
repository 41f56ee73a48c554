// EXPLAIN ANALYZE of the common `events search | count` queries on an ingested dataset, so the
// plans (and their times) on a million events sit beside the ingest figure in bench/ingest.md.
import pg from 'pg';
import { countEventsSql, type EventQuery, searchEventsSql } from '../../db/events/search';
import { groupName, groupNetwork } from './catalog';

export interface ExplainedSearch {
  name: string;
  milliseconds: number;
  /** Scan nodes: "Index Scan using …", "Bitmap Index Scan on …", "Seq Scan on …". */
  scans: string[];
  rows: number;
}

const searches = (from: Date, to: Date): [string, EventQuery, 'search' | 'count'][] => [
  ['newest 50 (no filter)', { limit: 50 }, 'search'],
  [
    'group + severity in a 1 h window',
    { groups: [groupName(1)], severities: ['low'], from, to, limit: 50 },
    'search',
  ],
  ['count of a group', { groups: [groupName(1)] }, 'count'],
  ['--ip /24 network', { ips: [groupNetwork(1)], limit: 50 }, 'search'],
  ['--detector', { detectors: ['cz.example.kippo'], limit: 50 }, 'search'],
  ['--category count', { categories: ['Attempt.Login'] }, 'count'],
  ['--sort detect-time', { sort: { by: 'detect_time', direction: 'desc' }, limit: 50 }, 'search'],
  ['--port 22', { ports: [22], limit: 50 }, 'search'],
  ['--description text', { description: 'ssh', limit: 50 }, 'search'],
  ['--no-group count', { noGroup: true }, 'count'],
];

function scansOf(node: Record<string, unknown>, out: string[] = []): string[] {
  const type = node['Node Type'] as string;
  if (/Scan/.test(type) && !/Append/.test(type))
    out.push(
      `${type}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`,
    );
  for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) scansOf(child, out);
  return out;
}

export async function explainSearches(url: string, storageTime: string): Promise<ExplainedSearch[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE events');
    const at = Date.parse(storageTime);
    const explained: ExplainedSearch[] = [];
    for (const [name, query, kind] of searches(new Date(at - 1_800_000), new Date(at + 1_800_000))) {
      const { text, values } = kind === 'count' ? countEventsSql(query) : searchEventsSql(query);
      const { rows } = await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
      const plan = rows[0]['QUERY PLAN'][0];
      explained.push({
        name,
        milliseconds: Math.round(plan['Execution Time'] * 10) / 10,
        scans: [...new Set(scansOf(plan.Plan))],
        rows: plan.Plan['Actual Rows'],
      });
    }
    return explained;
  } finally {
    await client.end();
  }
}
