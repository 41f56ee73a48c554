// The catalog a fetch or relapse step classifies with: whois over all networks, compiled filters
// (a filter that does not compile is logged and left out, never fatal), detector credibility.
import type pg from 'pg';
import type { Logger } from 'pino';
import { loadReportBaseOnly } from '../../db/catalog/read';
import { loadDetectorCredibility, loadFilters, loadNetworks } from '../../db/reporting/catalog';
import { type CompiledFilter, compileFilter, type FilterDefinition } from '../../domain/filters/filter';
import type { ClassifierCatalog } from '../../domain/reporting/classify';
import { createWhois } from '../../domain/reporting/whois';

export async function loadClassifierCatalog(
  pool: pg.Pool,
  logger: Logger,
): Promise<ClassifierCatalog & { definitions: FilterDefinition[] }> {
  const [networks, definitions, credibility, reportBaseOnly] = await Promise.all([
    loadNetworks(pool),
    loadFilters(pool),
    loadDetectorCredibility(pool),
    loadReportBaseOnly(pool),
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
    whois: createWhois(networks, { reportBaseOnly }),
    filters,
    credibility,
    now: new Date(),
    definitions,
  };
}
