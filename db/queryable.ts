// Anything that can run a query: the pool, a checked-out client (inside a transaction), a client.
import type pg from 'pg';

export type Queryable = pg.Pool | pg.PoolClient | pg.Client;
