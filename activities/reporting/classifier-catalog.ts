// The catalog a fetch or relapse step classifies with: whois over all networks (shared by the
// worker's runs while the catalog does not change, whois-cache.ts), compiled filters (a filter
// that does not compile is logged and left out, never fatal; compiled per run, since a filter's
// evaluation limits count per run), detector credibility.
import type pg from 'pg';
import type { Logger } from 'pino';
import { loadDetectorCredibility, loadFilters } from '../../db/reporting/catalog';
import { type CompiledFilter, compileFilter, type FilterDefinition } from '../../domain/filters/filter';
import type { ClassifierCatalog } from '../../domain/reporting/classify';
import { currentWhois } from './whois-cache';

export async function loadClassifierCatalog(
  pool: pg.Pool,
  logger: Logger,
): Promise<ClassifierCatalog & { definitions: FilterDefinition[] }> {
  const [whois, definitions, credibility] = await Promise.all([
    currentWhois(pool),
    loadFilters(pool),
    loadDetectorCredibility(pool),
  ]);
  const filters: CompiledFilter[] = [];
  for (const def of definitions) {
    try {
      filters.push(compileFilter(def));
    } catch (error) {
      logger.warn(
        { filter: def.name, group: def.group, error: (error as Error).message },
        'filter skipped: does not compile',
      );
    }
  }
  return {
    whois,
    filters,
    credibility,
    now: new Date(),
    definitions,
  };
}
