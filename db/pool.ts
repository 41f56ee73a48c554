// PostgreSQL connections: one pool per process, created from HERALD_DATABASE_URL.
import pg from 'pg';
import { ConfigError, config } from '../config/env';

/** int8 (bigint, count(*)) as JS numbers: herald's counts stay far below 2^53. */
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

export function databaseUrl(): string {
  const url = config().HERALD_DATABASE_URL;
  if (!url) {
    throw new ConfigError(
      'HERALD_DATABASE_URL: not set and no local stack found; run `herald dev up` or set it to a PostgreSQL URL',
    );
  }
  return url;
}

export function createPool(url = databaseUrl(), max = 20): pg.Pool {
  // A bounded wait for a connection: an activity that cannot get one fails and is retried,
  // instead of hanging until its start-to-close timeout (seen in bench/ at 100 concurrent activities).
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'herald',
    connectionTimeoutMillis: 60_000,
  });
  // An idle client losing its connection (PostgreSQL restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

let shared: pg.Pool | undefined;

/** The process-wide pool, created on first use. */
export function sharedPool(): pg.Pool {
  shared ??= createPool();
  return shared;
}

export async function closeSharedPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.end();
}

/** Runs `work` with a client of its own, released (or discarded, if its connection broke) after. */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // pg-pool takes its error listener off a client it hands out: a connection lost mid-transaction
  // (PostgreSQL restarted) would be an unhandled 'error' event that ends the process. The lost
  // connection fails the pending query anyway; the client is then discarded, not pooled again.
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost = error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}

/** Runs `work` in one transaction on `client`; rolls back on any error. */
export async function inTransactionOn<T>(
  client: pg.PoolClient,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** Runs `work` in one transaction; rolls back on any error. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return withClient(pool, (client) => inTransactionOn(client, work));
}
