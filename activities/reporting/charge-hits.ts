// Filter and detector hit counters of the catalog move once per run, however often the step that
// counted them is retried: the run's hits are recorded first, and only new rows are charged.
import type pg from 'pg';
import { chargeCatalogHits } from '../../db/reporting/catalog';
import { recordRunHits } from '../../db/reporting/run-hits';
import type { FilterDefinition } from '../../domain/filters/filter';
import { filterKey } from '../../domain/reporting/classify';

export async function chargeRunHits(
  client: pg.PoolClient,
  run: {
    runId: string;
    filterHits: Record<string, number>;
    detectorHits: Record<string, number>;
    definitions: readonly FilterDefinition[];
  },
): Promise<void> {
  const filters = new Map(run.definitions.map((d) => [filterKey(d), d]));
  const newFilterHits = await recordRunHits(client, run.runId, 'filter', run.filterHits);
  const newDetectorHits = await recordRunHits(client, run.runId, 'detector', run.detectorHits);
  await chargeCatalogHits(
    client,
    Object.entries(newFilterHits).map(([key, hits]) => {
      const def = filters.get(key);
      return { group: def?.group ?? null, name: def?.name ?? key, hits };
    }),
    newDetectorHits,
  );
}
