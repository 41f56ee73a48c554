// A fresh, migrated database per test file: cloned from the run's template in milliseconds.
import pg from 'pg';
import { inject } from 'vitest';
import './provided';

let counter = 0;

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export function databaseUrlFor(database: string): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

export async function freshDatabase(): Promise<TestDatabase> {
  const name = `herald_t${process.pid}_${++counter}_${inject('testRunId')}`;
  const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(inject('templateDatabase'))}`,
    );
  } finally {
    await admin.end();
  }
  const url = databaseUrlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  pool.on('error', () => {});
  return {
    url,
    pool,
    drop: async () => {
      await pool.end();
      const admin2 = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
      await admin2.connect();
      await admin2.query(`DROP DATABASE IF EXISTS ${admin2.escapeIdentifier(name)} WITH (FORCE)`);
      await admin2.end();
    },
  };
}
