// The benchmark catalog: the default event classes, the demo detectors and global filter, and N
// generated groups; group i owns 10.<i/256>.<i%256>.0/24 and gets summary mails for every severity.
import path from 'node:path';
import type pg from 'pg';
import { readCatalogDocument } from '../../client/commands/catalog';
import { repoRoot } from '../../config/paths';
import { importCatalog } from '../../db/catalog/upsert';
import { parseCatalog } from '../../domain/catalog/schema';

export const groupName = (i: number) => `g${String(i).padStart(4, '0')}`;
export const groupNetwork = (i: number) => `10.${i >> 8}.${i & 255}.0/24`;

function generatedGroups(count: number) {
  return {
    groups: Array.from({ length: count }, (_, i) => ({
      name: groupName(i),
      networks: [{ cidr: groupNetwork(i), name: `NET-${groupName(i)}` }],
      reporting: {
        mode: 'summary',
        emails: Object.fromEntries(
          ['info', 'low', 'medium', 'high', 'critical'].map((s) => [s, [`abuse@${groupName(i)}.example`]]),
        ),
        timezone: 'UTC',
      },
    })),
  };
}

async function importDocument(pool: pg.Pool, document: unknown): Promise<void> {
  const parsed = parseCatalog(document);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  await importCatalog(pool, parsed.catalog);
}

export async function importBenchCatalog(pool: pg.Pool, groups: number): Promise<void> {
  await importDocument(pool, await readCatalogDocument(path.join(repoRoot, 'catalog/default-catalog.yaml')));
  // Only the demo's detectors (credibility) and global filter: its groups own no 10/8 address.
  const demo = (await readCatalogDocument(path.join(repoRoot, 'scripts/demo/demo-catalog.yaml'))) as Record<
    string,
    unknown
  >;
  await importDocument(pool, { settings: demo.settings, detectors: demo.detectors, filters: demo.filters });
  await importDocument(pool, generatedGroups(groups));
}
