// One whois per catalog version for all the severity runs of a worker (per database pool): a run
// reads the version's token, one row, and builds the whois only when the groups, networks or
// report_base_only changed since (migration 0860; docs/reporting.md, "The catalog of a run").
// Loading every network for each run cost a RIPE-sized catalog's hundreds of thousands of rows
// per run, and as many whois indexes in memory as runs at once.
import type pg from 'pg';
import { loadReportBaseOnly } from '../../db/catalog/read';
import { loadNetworks } from '../../db/reporting/catalog';
import { createWhois, type Whois } from '../../domain/reporting/whois';

interface Cached {
  token: string;
  whois: Promise<Whois>;
}

const cached = new WeakMap<pg.Pool, Cached>();

const tokenOf = async (db: pg.Pool | pg.PoolClient) =>
  (await db.query<{ token: string }>('SELECT token::text FROM catalog_networks_version')).rows[0]?.token ??
  '';

/** The networks and setting as of one snapshot, at least as new as the token read before. */
async function build(pool: pg.Pool): Promise<Whois> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const networks = await loadNetworks(client);
    const reportBaseOnly = await loadReportBaseOnly(client);
    await client.query('COMMIT');
    return createWhois(networks, { reportBaseOnly });
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The whois of the catalog as it is now; runs starting together share one load. */
export async function currentWhois(pool: pg.Pool): Promise<Whois> {
  const token = await tokenOf(pool);
  const known = cached.get(pool);
  if (known?.token === token) return known.whois;
  // Keyed by the token read before the load: the whois is at least that new, and a later change
  // shows as another token.
  const entry: Cached = { token, whois: build(pool) };
  cached.set(pool, entry);
  entry.whois.catch(() => {
    if (cached.get(pool) === entry) cached.delete(pool);
  });
  return entry.whois;
}
