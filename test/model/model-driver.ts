// Drives random sequences of run kinds against the real stack (Temporal dev server, PostgreSQL,
// SMTP) and the reference model (reporting-model.ts), comparing after every step the reports
// stored, the mails received and the real cursors. Seeded: HERALD_MODEL_SEED replays a sequence
// set, and the seed is printed before the run and named by fast-check on failure.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import fc from 'fast-check';
import type pg from 'pg';
import type { MailCatcher } from '../../scripts/dev/mail-catcher';
import { reportingActivities, seedCatalog, storeEvents } from '../integration/reporting/support';
import { randomTaskQueue, startTestWorker } from '../support/temporal';
import { type ModelReport, ReportingModel, TICK_MS } from './reporting-model';

const GROUPS = 1;
const IPS = 2;

interface Stack {
  pool: pg.Pool;
  client: Client;
  mail: MailCatcher;
}

/** One sequence's real side: its groups, base time and a worker that can be restarted. */
class Real {
  readonly taskQueue = randomTaskQueue('model');
  private stopWorker: (() => Promise<void>) | undefined;

  constructor(
    readonly stack: Stack,
    readonly prefix: string,
    readonly net: number,
    readonly base: number,
  ) {}

  group = (g: number) => `${this.prefix}-g${g}`;
  /** Where this sequence's mail-test-mode re-runs send. */
  testAddress = () => `operator@${this.prefix}.test`;
  ip = (g: number, i: number) => `10.${this.net}.${g}.${i + 1}`;
  at = (tick: number) => new Date(this.base + tick * TICK_MS).toISOString();

  async startWorker(): Promise<void> {
    this.stopWorker = await startTestWorker({
      taskQueue: this.taskQueue,
      activities: reportingActivities(this.stack.pool, this.stack.mail.smtpUrl),
    });
  }

  async stop(): Promise<void> {
    await this.stopWorker?.();
    this.stopWorker = undefined;
  }

  runGroup(input: Record<string, unknown>) {
    return this.stack.client.workflow.execute('reportGroup', {
      taskQueue: this.taskQueue,
      workflowId: `report:${input.group}:model:${randomUUID()}`,
      args: [{ severities: ['high'], ...input }],
    });
  }

  /** The reports of this sequence's groups as the model describes them, in creation order. */
  async reports(): Promise<ModelReport[]> {
    const { rows } = await this.stack.pool.query<{
      group_name: string;
      flag_testdata: boolean;
      run_id: string;
      events: string[];
      to_addrs: string[] | null;
    }>(
      `SELECT r.group_name, r.flag_testdata, r.run_id, o.to_addrs,
              array(SELECT e.event_id || '/' || host(e.ip) FROM report_events e WHERE e.report_id = r.id
                     ORDER BY 1) AS events
         FROM reports r LEFT JOIN report_outbox o ON o.report_id = r.id
        WHERE r.group_name LIKE $1 ORDER BY r.id`,
      [`${this.prefix}-%`],
    );
    return rows.map((r) => ({
      group: r.group_name,
      kind: r.run_id.includes(':rerun:') ? 'rerun' : r.flag_testdata ? 'test-data' : 'adhoc',
      events: r.events,
      mailTo: r.to_addrs,
    }));
  }

  async cursors(): Promise<Record<string, string>> {
    const { rows } = await this.stack.pool.query<{ group_name: string; cursor: Date }>(
      `SELECT group_name, max(window_to) AS cursor FROM report_runs
        WHERE group_name LIKE $1 AND NOT test_data AND run_kind <> 'rerun' GROUP BY group_name`,
      [`${this.prefix}-%`],
    );
    return Object.fromEntries(rows.map((r) => [r.group_name, r.cursor.toISOString()]));
  }

  /** Envelope recipients of every mail received for this sequence, each Message-ID once. */
  async mails(): Promise<{ to: string[]; duplicates: number }> {
    const mine = (await this.stack.mail.messages()).filter((m) =>
      m.envelopeTo.some((a) => a.includes(`@${this.prefix}.`)),
    );
    const ids = new Set(mine.map((m) => m.messageId));
    return { to: mine.map((m) => m.envelopeTo.join(',')).sort(), duplicates: mine.length - ids.size };
  }
}

type Cmd = fc.AsyncCommand<ReportingModel, Real>;

const sameKind = (r: ModelReport): ModelReport => ({ ...r, kind: r.kind === 'schedule' ? 'adhoc' : r.kind });

async function check(model: ReportingModel, real: Real): Promise<void> {
  const expected = model.reports.map(sameKind);
  const stored = await real.reports();
  if (JSON.stringify(stored) !== JSON.stringify(expected))
    throw new Error(`reports differ\n model: ${JSON.stringify(expected)}\n  real: ${JSON.stringify(stored)}`);
  const cursors = Object.fromEntries([...model.cursors].map(([g, t]) => [g, real.at(t)]));
  const ledger = await real.cursors();
  if (JSON.stringify(ledger) !== JSON.stringify(Object.fromEntries(Object.entries(cursors).sort())))
    throw new Error(`cursors differ\n model: ${JSON.stringify(cursors)}\n  real: ${JSON.stringify(ledger)}`);
  const mails = await real.mails();
  const want = model.reports
    .filter((r) => r.mailTo)
    .map((r) => r.mailTo!.join(','))
    .sort();
  if (mails.duplicates > 0 || JSON.stringify(mails.to) !== JSON.stringify(want))
    throw new Error(`mails differ\n model: ${JSON.stringify(want)}\n  real: ${JSON.stringify(mails)}`);
}

const step = (label: string, act: (m: ReportingModel, r: Real) => Promise<void>): Cmd => ({
  check: () => true,
  run: async (m, r) => {
    await act(m, r);
    await check(m, r);
  },
  toString: () => label,
});

const ingest = fc
  .record({
    g: fc.nat(GROUPS - 1),
    batch: fc.array(fc.record({ ip: fc.nat(IPS - 1), test: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ g, batch }) =>
    step(`ingest+tick g${g} ${batch.map((e) => `${e.ip}${e.test ? 't' : ''}`).join('+')}`, async (m, r) => {
      const events = batch.map((e) => ({
        id: randomUUID(),
        group: r.group(g),
        ip: r.ip(g, e.ip),
        test: e.test,
      }));
      await storeEvents(
        r.stack.pool,
        events.map((e) => ({
          id: e.id,
          group: e.group,
          ip: e.ip,
          severity: 'high' as const,
          test: e.test,
        })),
        new Date(r.base + m.tick * TICK_MS + 5 * 60_000),
      );
      // Stored during the interval that ends at the next time_h, which the clock then reaches.
      m.ingest(events);
      m.advance();
    }),
  );

async function realRunOf(m: ReportingModel, r: Real, g: number, kind: 'schedule' | 'adhoc', none: boolean) {
  await r.runGroup({
    group: r.group(g),
    timeHigh: r.at(m.tick),
    runKind: kind,
    ...(none ? { force: { mode: 'none' } } : {}),
  });
  m.realRun(r.group(g), kind, none);
}

async function testRunOf(m: ReportingModel, r: Real, g: number) {
  await r.runGroup({
    group: r.group(g),
    timeHigh: r.at(m.tick),
    runKind: 'adhoc',
    force: { testData: true },
  });
  m.testRun(r.group(g));
}

const advance = fc.constant(step('advance', async (m) => m.advance()));

const realRun = fc
  .record({
    g: fc.nat(GROUPS - 1),
    kind: fc.constantFrom('schedule' as const, 'adhoc' as const),
    none: fc.boolean(),
  })
  .map(({ g, kind, none }) =>
    step(`${kind} run g${g}${none ? ' --force-mode none' : ''}`, (m, r) => realRunOf(m, r, g, kind, none)),
  );

const testDataRun = fc.nat(GROUPS - 1).map((g) => step(`test-data run g${g}`, (m, r) => testRunOf(m, r, g)));

// A test-data run and a real run at the same time_h, in either order: where their state could meet.
const runPair = fc
  .record({ g: fc.nat(GROUPS - 1), testFirst: fc.boolean(), none: fc.boolean() })
  .map(({ g, testFirst, none }) =>
    step(`test-data and adhoc run g${g}, ${testFirst ? 'test data first' : 'real first'}`, async (m, r) => {
      if (testFirst) await testRunOf(m, r, g);
      await realRunOf(m, r, g, 'adhoc', none);
      if (!testFirst) await testRunOf(m, r, g);
    }),
  );

const rerun = fc
  .record({ g: fc.nat(GROUPS - 1), back: fc.nat(3), testMode: fc.boolean() })
  .map(({ g, back, testMode }) =>
    step(`rerun g${g} ${back} back${testMode ? ' in mail test mode' : ''}`, async (m, r) => {
      const tick = Math.max(1, m.tick - back);
      const nonce = randomUUID().slice(0, 8);
      await r.stack.client.workflow.execute('reportRerun', {
        taskQueue: r.taskQueue,
        workflowId: `report:${r.group(g)}:rerun:model:${nonce}`,
        args: [
          {
            group: r.group(g),
            from: r.at(tick - 1),
            to: r.at(tick),
            windowSeconds: TICK_MS / 1000,
            severities: ['high'],
            nonce,
            ...(testMode ? { force: { mailTestMode: true, mailTo: [r.testAddress()] } } : {}),
          },
        ],
      });
      m.rerun(r.group(g), tick, testMode ? r.testAddress() : null, nonce);
    }),
  );

const workerRestart = fc.constant(
  step('worker restart', async (_m, r) => {
    await r.stop();
    await r.startWorker();
  }),
);

// Runs and clock ticks twice as often as the rest: the interplay between run kinds is what is tested.
const commands = [
  ingest,
  ingest,
  advance,
  advance,
  realRun,
  realRun,
  testDataRun,
  runPair,
  rerun,
  workerRestart,
];

let sequences = 0;

/** Runs `numRuns` random sequences of at most `maxCommands` steps each. */
export async function runModelSequences(
  stack: Stack,
  options: { numRuns: number; maxCommands: number },
): Promise<{ seed: number; sequences: number; steps: number }> {
  const seed = process.env.HERALD_MODEL_SEED ? Number(process.env.HERALD_MODEL_SEED) : Date.now() % 2 ** 31;
  console.log(`model-based run kinds: seed ${seed} (HERALD_MODEL_SEED=${seed} replays it)`);
  let steps = 0;
  const base = Math.floor(Date.now() / TICK_MS) * TICK_MS - 600 * TICK_MS;
  await fc.assert(
    fc.asyncProperty(
      fc.commands(commands, { maxCommands: options.maxCommands, size: 'max' }),
      async (cmds) => {
        const n = ++sequences;
        const prefix = `m${randomUUID().slice(0, 6)}`;
        const contacts = Object.fromEntries(
          Array.from({ length: GROUPS }, (_, g) => [`${prefix}-g${g}`, `soc@${prefix}.g${g}.test`]),
        );
        const real = new Real(stack, prefix, n % 250, base);
        await seedCatalog(stack.pool, {
          groups: Array.from({ length: GROUPS }, (_, g) => ({
            name: real.group(g),
            networks: [{ network: `10.${real.net}.${g}.0/24` }],
            // The model describes summary reports; the default mode (extra) is covered by
            // test/integration/reporting/mentat-unit-tests.test.ts.
            mode: 'summary' as const,
            emails: { high: [contacts[real.group(g)]!] },
            timing: { high: { per: TICK_MS / 1000, thr: (3 * TICK_MS) / 1000, rel: 0 } },
          })),
        });
        await real.startWorker();
        try {
          const model = new ReportingModel(contacts);
          await fc.asyncModelRun(() => ({ model, real }), [...cmds]);
          steps += [...cmds].length;
        } finally {
          await real.stop();
        }
      },
    ),
    { numRuns: options.numRuns, seed, endOnFailure: true },
  );
  return { seed, sequences, steps };
}
