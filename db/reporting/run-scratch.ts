// A severity run's per-event findings, kept in PostgreSQL instead of the worker's memory while the
// run reads its window (docs/reporting.md, "Memory of a run"): the (event, IP) pairs that passed
// and the events a live key suppressed go into two temporary tables of the run's own connection,
// with COPY whenever 10,000 are buffered. Passed pairs travel as sets, one row of arrays per
// chain, IP and relapse flag of a flush, which is the shape a report stores them in
// (report_event_sets, migration 0850): the render transaction copies a report's sets with one
// INSERT … SELECT and never touches a row per event again. Temporary tables are not WAL-logged and
// vanish with the connection, so a worker dying mid-run leaves nothing behind.
import type pg from 'pg';
import type { Pass } from '../../domain/reporting/threshold-key';
import { arrayLiteral, type CopyField, copyRows } from './copy-rows';
import type { ThresholdScope } from './thresholds';

/** Rows buffered in the worker before they are copied (bounds the run's memory). */
const FLUSH_ROWS = 10_000;

export interface PassedRow {
  pass: Pass;
  chainKey: string;
  ip: string;
  eventId: string;
  storageTime: string;
  relapsed: boolean;
}

export interface ThresholdedRow {
  pass: Pass;
  key: string;
  eventId: string;
  storageTime: string;
}

/** Rows added one by one, copied into `table` by `flush` (the caller's, once `full`). */
class BufferedCopy<T> {
  private rows: T[] = [];
  count = 0;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly target: { table: string; columns: readonly string[] },
    private readonly fields: (row: T) => readonly CopyField[],
  ) {}

  push(row: T): void {
    this.rows.push(row);
    this.count++;
  }

  get full(): boolean {
    return this.rows.length >= FLUSH_ROWS;
  }

  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await copyRows(this.client, this.target, rows, this.fields);
  }
}

interface PassedSet {
  pass: Pass;
  chainKey: string;
  ip: string;
  relapsed: boolean;
  eventIds: string[];
  storageTimes: string[];
}

/** Passed pairs grouped by chain, IP and relapse flag, copied as one row of arrays per group. */
class PassedSets {
  private sets = new Map<string, PassedSet>();
  private buffered = 0;
  /** Pairs pushed since the run began. */
  count = 0;
  /** Rows (sets) copied into the scratch table since the run began. */
  rows = 0;

  constructor(private readonly client: pg.PoolClient) {}

  push(row: PassedRow): void {
    const id = `${row.pass}\u0000${row.chainKey}\u0000${row.ip}\u0000${row.relapsed}`;
    let set = this.sets.get(id);
    if (!set) {
      set = {
        pass: row.pass,
        chainKey: row.chainKey,
        ip: row.ip,
        relapsed: row.relapsed,
        eventIds: [],
        storageTimes: [],
      };
      this.sets.set(id, set);
    }
    set.eventIds.push(row.eventId);
    set.storageTimes.push(row.storageTime);
    this.buffered++;
    this.count++;
  }

  get full(): boolean {
    return this.buffered >= FLUSH_ROWS;
  }

  async flush(): Promise<void> {
    const sets = [...this.sets.values()];
    this.sets = new Map();
    this.buffered = 0;
    this.rows += sets.length;
    await copyRows(
      this.client,
      {
        table: 'run_passed_sets',
        columns: ['pass', 'chain_key', 'ip', 'relapsed', 'event_ids', 'storage_times'],
      },
      sets,
      (s) => [s.pass, s.chainKey, s.ip, s.relapsed, arrayLiteral(s.eventIds), arrayLiteral(s.storageTimes)],
    );
  }
}

export class RunScratch {
  readonly passed: PassedSets;
  readonly thresholded: BufferedCopy<ThresholdedRow>;
  private indexed = false;

  private constructor(private readonly client: pg.PoolClient) {
    this.passed = new PassedSets(client);
    this.thresholded = new BufferedCopy(
      client,
      { table: 'run_thresholded', columns: ['pass', 'key', 'event_id', 'storage_time'] },
      (r) => [r.pass, r.key, r.eventId, r.storageTime],
    );
  }

  /** Empty tables on `client` (a run's connection holds one set; a retry starts afresh). */
  static async open(client: pg.PoolClient): Promise<RunScratch> {
    await client.query(`DROP TABLE IF EXISTS pg_temp.run_passed_sets, pg_temp.run_thresholded`);
    await client.query(`CREATE TEMPORARY TABLE run_passed_sets (
      pass text NOT NULL, chain_key text NOT NULL, ip inet NOT NULL, relapsed boolean NOT NULL,
      event_ids text[] NOT NULL, storage_times timestamptz[] NOT NULL)`);
    await client.query(`CREATE TEMPORARY TABLE run_thresholded (
      pass text NOT NULL, key text NOT NULL, event_id text NOT NULL, storage_time timestamptz NOT NULL)`);
    return new RunScratch(client);
  }

  get full(): boolean {
    return this.passed.full || this.thresholded.full;
  }

  async flush(): Promise<void> {
    await this.passed.flush();
    await this.thresholded.flush();
  }

  /** This run's records of the given keys (a key expiring exactly at time_h relapses at once). */
  async thresholdedOf(pass: Pass, keys: readonly string[]): Promise<ThresholdedRow[]> {
    if (keys.length === 0 || this.thresholded.count === 0) return [];
    const { rows } = await this.client.query<ThresholdedRow>(
      `SELECT pass, key, event_id AS "eventId", storage_time::text AS "storageTime"
         FROM run_thresholded WHERE pass = $1 AND key = ANY($2::text[])`,
      [pass, keys],
    );
    return rows;
  }

  /** Event id → chain keys in which it passed in the window (for events that also relapsed). */
  async passedChainsOf(pass: Pass, eventIds: readonly string[]): Promise<Map<string, Set<string>>> {
    const chains = new Map<string, Set<string>>();
    if (eventIds.length === 0 || this.passed.count === 0) return chains;
    const { rows } = await this.client.query<{ event_id: string; chain_key: string }>(
      `SELECT DISTINCT u.event_id, s.chain_key FROM run_passed_sets s CROSS JOIN LATERAL unnest(s.event_ids) AS u(event_id)
        WHERE s.pass = $1 AND NOT s.relapsed AND u.event_id = ANY($2::text[])`,
      [pass, eventIds],
    );
    for (const r of rows) {
      const set = chains.get(r.event_id);
      if (set) set.add(r.chain_key);
      else chains.set(r.event_id, new Set([r.chain_key]));
    }
    return chains;
  }

  /** Stores the events of a report just inserted: its chain's passed sets (of its IP, if any). */
  async copyReportEvents(
    reportId: number,
    report: { pass: Pass; chainKey: string; ip: string | null },
  ): Promise<number> {
    if (report.ip !== null && !this.indexed) {
      // Extra reports read their chain's sets once per IP: worth an index past a few thousand.
      if (this.passed.rows > 2_000)
        await this.client.query('CREATE INDEX ON run_passed_sets (pass, chain_key, ip)');
      this.indexed = true;
    }
    // (event, IP) is unique within a pass's chain: the fetch takes each IP of an event once and
    // a relapse only reports pairs that were suppressed, so the sets never repeat a pair.
    const { rows } = await this.client.query<{ pairs: number }>(
      `WITH stored AS (
         INSERT INTO report_event_sets (report_id, ip, relapsed, event_ids, storage_times)
         SELECT $1, ip, relapsed, event_ids, storage_times FROM run_passed_sets
          WHERE pass = $2 AND chain_key = $3 AND ($4::inet IS NULL OR ip = $4::inet)
         RETURNING cardinality(event_ids) AS n)
       SELECT coalesce(sum(n), 0)::int AS pairs FROM stored`,
      [reportId, report.pass, report.chainKey, report.ip],
    );
    return rows[0]?.pairs ?? 0;
  }

  /** Records the suppressed events (what markThresholded does from staging), in the scope at time_h. */
  async storeThresholded(scope: ThresholdScope): Promise<number> {
    if (this.thresholded.count === 0) return 0;
    const { rowCount } = await this.client.query(
      `INSERT INTO report_thresholded_events (group_name, severity, realm, pass, key, event_id, storage_time, create_time)
       SELECT $1, $2, $3, pass, key, event_id, storage_time, $4::timestamptz FROM run_thresholded
       ON CONFLICT DO NOTHING`,
      [scope.group, scope.severity, scope.realm, scope.timeHigh],
    );
    return rowCount ?? 0;
  }

  /** Drops the tables (the connection goes back to the pool). */
  async close(): Promise<void> {
    await this.client.query(`DROP TABLE IF EXISTS pg_temp.run_passed_sets, pg_temp.run_thresholded`);
  }
}
