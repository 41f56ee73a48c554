// `herald catalog import-ripe`: the dumps read and resolved in this process, then diffed with the
// catalog and (unless a dry run) applied in one transaction.
import type pg from 'pg';
import { importRipe } from '../../db/catalog/ripe-import';
import type { RipePlan } from '../../domain/ripe/contacts';
import type { RipeDiff } from '../../domain/ripe/diff';
import { readDumps } from './read-dumps';

export async function importRipeDumps(
  pool: pg.Pool,
  files: readonly string[],
  options: { dryRun: boolean; countries?: string[] },
): Promise<{ plan: RipePlan; diff: RipeDiff }> {
  const plan = await readDumps(files, { countries: options.countries });
  return { plan, diff: await importRipe(pool, plan.groups, { dryRun: options.dryRun }) };
}
