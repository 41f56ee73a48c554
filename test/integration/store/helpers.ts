// Shared set-up for the event-store tests: catalogs from the repository, events from literals.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import YAML from 'yaml';
import { repoRoot } from '../../../config/paths';
import { importCatalog } from '../../../db/catalog/upsert';
import { type IngestOptions, type IngestSummary, ingestEvents } from '../../../db/events/ingest';
import type { InputRecord } from '../../../db/events/read-records';
import type { Queryable } from '../../../db/queryable';
import { parseCatalog } from '../../../domain/catalog/schema';
import { freshDatabase, type TestDatabase } from '../../support/database';

export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'idea');

export function canonicalEvents(): Record<string, unknown>[] {
  const dir = path.join(fixturesDir, 'canonical');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
}

export async function importCatalogFile(pool: pg.Pool, file: string): Promise<void> {
  const parsed = parseCatalog(YAML.parse(readFileSync(path.join(repoRoot, file), 'utf8')));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  await importCatalog(pool, parsed.catalog);
}

export async function importDemoCatalogs(pool: pg.Pool): Promise<void> {
  await importCatalogFile(pool, 'catalog/default-catalog.yaml');
  await importCatalogFile(pool, 'scripts/demo/demo-catalog.yaml');
}

/** A fresh database with the demo catalogs for the file's tests (dropped after them). */
export function demoCatalogDatabase(): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await freshDatabase();
    await importDemoCatalogs(db.pool);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => db!;
}

async function* records(values: unknown[]): AsyncGenerator<InputRecord> {
  for (const [i, value] of values.entries()) yield { line: i + 1, value };
}

export function ingestValues(
  pool: Queryable,
  values: unknown[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  return ingestEvents(pool, records(values), options);
}

let counter = 0;
/** A minimal valid IDEA event; `extra` overrides or adds fields. */
export function idea(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Format: 'IDEA0',
    ID: `evt-${++counter}-${process.pid}`,
    DetectTime: '2024-05-01T12:00:00Z',
    Category: ['Recon.Scanning'],
    Node: [{ Name: 'cz.example.scan_detector' }],
    ...extra,
  };
}

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
}

/** Every node of the plan PostgreSQL picks for a statement (EXPLAIN (FORMAT JSON)). */
export async function planNodes(pool: pg.Pool, text: string, values: unknown[]): Promise<PlanNode[]> {
  const plan = (await pool.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows[0]['QUERY PLAN'][0].Plan;
  const nodes: PlanNode[] = [];
  const walk = (node: Record<string, unknown>) => {
    nodes.push(node as unknown as PlanNode);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk(plan);
  return nodes;
}
