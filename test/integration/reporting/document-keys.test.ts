// A severity run fetches the leaves of the event document its reports read and the top-level keys
// its filters read (db/reporting/window-events.ts, domain/reporting/document-keys.ts), not whole
// documents. The leaves must be what the report tables read from the whole document, also for
// documents of lax shapes (a single value for a list, text for a number, nulls), and the run must
// find what it finds reading whole documents: counters, chains, the report tables' figures,
// statistics and filter hits.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatheredRun, gatherRun, loadRunSetting } from '../../../activities/reporting/gather-run';
import type { SeverityRunInput } from '../../../activities/reporting/types';
import { RunScratch } from '../../../db/reporting/run-scratch';
import { windowEventBatches } from '../../../db/reporting/window-events';
import { compileFilter } from '../../../domain/filters/filter';
import { chainKey } from '../../../domain/reporting/chains';
import { documentKeys } from '../../../domain/reporting/document-keys';
import { connCountOf, portsAndProtocols } from '../../../domain/reporting/event-aggregates';
import { softwareOf } from '../../../domain/reporting/statistics-tally';
import { PASSES } from '../../../domain/reporting/threshold-key';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { reportLeavesOf } from '../../support/report-leaves';
import { alignedPast, seedCatalog, storeDocuments } from './support';

let db: TestDatabase;
const timeHigh = alignedPast(10);
const storageTime = new Date(timeHigh.getTime() - 5 * 60_000);
const window = { from: new Date(timeHigh.getTime() - 86_400_000).toISOString(), to: timeHigh.toISOString() };

/** A small seeded generator, so a failure names the same events again. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function events(count: number, network: string, seed: number): Record<string, unknown>[] {
  const next = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const sources = Array.from({ length: 1 + Math.floor(next() * 2) }, () => ({
      IP4: [`${network}.${1 + Math.floor(next() * 40)}`],
      ...pick([{}, { Proto: ['tcp'] }, { Proto: ['TCP', 'ssh'] }, { Proto: ['udp'], Port: [53] }]),
    }));
    const target = pick([
      null,
      [{ IP4: ['203.0.113.5'], Port: [22, 2222] }],
      [{ IP4: ['203.0.113.6'] }, { Port: [445], Proto: ['smb'] }],
    ]);
    return {
      Format: 'IDEA0',
      ID: randomUUID(),
      DetectTime: new Date(storageTime.getTime() - 60_000 - i).toISOString(),
      Category: [pick(['Recon.Scanning', 'Attempt.Login', 'Abusive.Spam'])],
      Description: `event ${i}`,
      Source: sources,
      ...(target ? { Target: target } : {}),
      ...pick([{}, { ConnCount: 1 + Math.floor(next() * 900) }, { ConnCount: 17 }]),
      Node: pick([
        [{ Name: 'cz.example.sensor', SW: ['kippo'] }],
        [{ Name: 'cz.example.relay' }, { Name: 'cz.example.noisy', SW: ['dionaea', 'kippo'] }],
        [{ Name: 'cz.example.sensor' }],
      ]),
      _Mentat: { EventClass: 'recon-scanning', EventSeverity: 'low' },
    };
  });
}

const input: SeverityRunInput = {
  runId: 'document-keys',
  group: 'university',
  severity: 'low',
  window,
  testData: false,
  realm: 'real',
  force: {},
  mail: {},
  runKind: 'adhoc',
};

beforeAll(async () => {
  db = await freshDatabase();
  await seedCatalog(db.pool, {
    groups: [
      { name: 'university', networks: [{ network: '192.0.2.0/24' }], mode: 'both' },
      { name: 'lab', networks: [{ network: '198.51.100.0/24' }] },
    ],
    detectors: [{ name: 'cz.example.relay', credibility: 0.4 }],
    filters: [
      {
        group: null,
        name: 'noisy',
        expression: 'detectors.exists(d, d == "cz.example.noisy") && size(Node) > 1',
      },
      {
        group: 'university',
        name: 'logins',
        expression: 'Category.exists(c, c == "Attempt.Login") && severity == "low" && "ssh" in protocols',
      },
    ],
  });
  await storeDocuments(db.pool, [...events(600, '192.0.2', 7), ...events(60, '198.51.100', 8)], storageTime);
  // Shapes ingest's validation refuses but IDEA's lax paths read (documents stored by older
  // versions, or by hand), in the lab's events: the filter context expects valid IDEA.
  const lax = [
    { ConnCount: '12', Target: { Port: 22, IP4: ['203.0.113.9'] } },
    { ConnCount: null, Target: [{ Port: null }, 'junk', { Port: ['80', 8080] }] },
    { ConnCount: 1.5, Source: [{ IP4: ['198.51.100.3'], Proto: 'TCP' }, { Proto: [{ x: 1 }, true] }, null] },
    { Node: [{ Name: 'cz.example.sensor', SW: 'kippo' }], Target: null },
    { Node: { Name: 'cz.example.sensor', SW: ['kippo'] } },
    { Node: [], Source: [{ IP4: ['198.51.100.4'] }] },
  ];
  for (const [i, fields] of lax.entries())
    await db.pool.query(
      `UPDATE events SET event = event || $1::jsonb
        WHERE id = (SELECT id FROM events WHERE 'lab' = ANY(resolved_abuses) ORDER BY id OFFSET $2 LIMIT 1)`,
      [JSON.stringify(fields), i * 5],
    );
});
afterAll(async () => {
  await db?.drop();
});

const deps = () => ({
  pool: db.pool,
  logger: pino({ level: 'silent' }),
  mail: { transport: undefined as never, from: 'herald@csirt.test', domain: 'csirt.test' },
});
const ctx = {
  heartbeat: () => {},
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  cancellationSignal: new AbortController().signal,
};

/** What a run found, in comparable form. */
function findings(run: GatheredRun) {
  const chains = PASSES.flatMap((pass) => run.tally[pass].results().map((r) => ({ pass, ...r })));
  return {
    counters: PASSES.map((pass) => run.tally[pass].counters(run.fetched[pass])),
    chains,
    aggregates: run.aggregates.toRows(),
    statistics: chains.map((c) => run.statistics.statistics(c.pass, chainKey(c), c.regular.size)),
    keys: [...run.reportedKeys.values()],
    filterHits: run.filterHits,
    fetched: run.fetched,
  };
}

async function gather(readsEvent: boolean) {
  const setting = await loadRunSetting(deps(), input, ctx);
  // A filter that reads `event` and never matches: the run then fetches whole documents.
  if (readsEvent)
    setting.catalog.filters = [
      ...setting.catalog.filters,
      compileFilter({
        name: 'never',
        group: null,
        enabled: true,
        sourceBased: true,
        expression: 'has(event.NoSuchField)',
      }),
    ];
  const document = documentKeys(setting.catalog.filters);
  const client = await db.pool.connect();
  try {
    const scratch = await RunScratch.open(client);
    try {
      return { document, found: findings(await gatherRun(deps(), input, ctx, setting, client, scratch)) };
    } finally {
      await scratch.close();
    }
  } finally {
    client.release();
  }
}

describe('the event document a run reads', () => {
  it('fetches the leaves the reports read, and the listed keys as stored', async () => {
    const keys = ['ConnCount', 'Description', 'Target', '_CESNET'];
    const dates = { from: new Date(window.from), to: new Date(window.to) };
    const client = await db.pool.connect();
    let compared = 0;
    try {
      for (const group of ['university', 'lab']) {
        const query = { group, severity: 'low', pass: 'source' as const, testData: false };
        const whole = new Map<string, Record<string, unknown>>();
        for await (const batch of windowEventBatches(client, {
          ...query,
          ...dates,
          document: 'whole',
          batchSize: 100,
        }))
          for (const row of batch) whole.set(row.id, row.event!);
        for await (const batch of windowEventBatches(client, {
          ...query,
          ...dates,
          document: keys,
          batchSize: 100,
        }))
          for (const row of batch) {
            const all = whole.get(row.id)!;
            expect(row.event).toEqual(
              Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])),
            );
            const expected = reportLeavesOf(all);
            expect(connCountOf(row.conn_count), row.id).toBe(connCountOf(expected.conn_count));
            expect(portsAndProtocols(row.target_ports, row.source_protocols), row.id).toEqual(
              portsAndProtocols(expected.target_ports, expected.source_protocols),
            );
            expect(softwareOf(row.node_software), row.id).toEqual(softwareOf(expected.node_software));
            compared++;
          }
      }
    } finally {
      client.release();
    }
    expect(compared).toBe(660);
  });

  it('finds with the keys its filters and reports read what it finds with whole documents', async () => {
    const projected = await gather(false);
    const whole = await gather(true);
    expect(projected.document).toEqual(['Category', 'Node', 'Source', 'Target', '_CESNET', '_Mentat']);
    expect(whole.document).toBe('whole');
    expect(projected.found).toEqual(whole.found);
    // Not a comparison of empty runs: both filters dropped events, and the tables have ports,
    // protocols and connection counts.
    expect(Object.keys(whole.found.filterHits).sort()).toEqual(['noisy', 'university/logins']);
    const rows = whole.found.aggregates;
    expect(rows.some((r) => r.connCount > 0 && r.ports.length > 0 && r.protocols.length > 0)).toBe(true);
  });
});
