// (1) The full reporting cycle against PostgreSQL's own limit: reportGroup for every group of a
// dataset through a real worker (fetch, filter, credibility, threshold, relapse, render, store,
// mail to the in-process catcher), against one plain SQL scan of the same columns and window.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import pg from 'pg';
import type { MailCatcher } from '../scripts/dev/mail-catcher';
import { groupName } from './lib/catalog';
import type { CopyBaseline } from './lib/copy-baseline';
import { type CpuAccount, parentPid, startCpuAccounting } from './lib/cpu-accounting';
import type { Dataset } from './lib/dataset';
import { type Figure, perSecond, round } from './lib/figures';
import { runGroups } from './lib/group-runs';
import type { BenchStack } from './lib/stack';
import { startWorker } from './lib/worker-process';

// The columns windowEventBatches reads (both passes), for the widest severity window (1 day).
const SCAN_COLUMNS = `id, storage_time::text, source_ips, target_ips, event_class, target_class, event_subclasses,
  target_subclasses, categories, node_names, event_severity, target_severity, resolved_abuses, target_abuses, event`;

/** Roles of the CPU account that are the machine's other work. */
const NOT_OURS = new Set(['other', 'another PostgreSQL on the machine']);

/**
 * The role of a process during a reporting cycle, for its CPU account. `postmaster` is the bench
 * server's: another PostgreSQL on the machine (the machine's own cluster) is not the cycle's.
 */
function cycleRole(
  process_: { pid: number; command: string; name: string; ppid: number },
  workerPid: number,
  postmaster: number | null,
): string {
  const { pid, command, name, ppid } = process_;
  if (pid === workerPid) return 'worker';
  if (pid === process.pid) return 'harness (Temporal client, mail sink)';
  if (name === 'postgres' || command.includes('postgres')) {
    if (postmaster !== null && pid !== postmaster && ppid !== postmaster)
      return 'another PostgreSQL on the machine';
    // A child's command line names its job ("postgres: autovacuum worker db", "postgres: walwriter").
    if (command.includes('autovacuum')) return 'postgresql autovacuum';
    return 'postgresql';
  }
  if (name === 'temporal') return 'temporal server';
  return 'other';
}

/** The postmaster of the server behind `url` when it runs on this machine (a backend's parent). */
async function postmasterPid(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return parentPid(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

/**
 * One plain query over the window, read to the client through a cursor; returns seconds and the
 * CPU its backend and this process (the client parsing the rows) used meanwhile.
 */
export async function rawScan(
  url: string,
  from: string,
  to: string,
): Promise<{ seconds: number; rows: number; cpu: CpuAccount }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const accounting = startCpuAccounting((pid) =>
      pid === backend ? 'postgresql' : pid === process.pid ? 'client (pg, this process)' : 'other',
    );
    let cpu: CpuAccount;
    const began = process.hrtime.bigint();
    let rows = 0;
    try {
      await client.query('BEGIN');
      await client.query(
        `DECLARE scan NO SCROLL CURSOR FOR SELECT ${SCAN_COLUMNS} FROM events
          WHERE storage_time >= '${from}' AND storage_time < '${to}'`,
      );
      for (;;) {
        const batch = await client.query('FETCH 5000 FROM scan');
        rows += batch.rowCount ?? 0;
        if ((batch.rowCount ?? 0) < 5000) break;
      }
      await client.query('COMMIT');
    } finally {
      cpu = accounting.stop();
    }
    return { seconds: Number(process.hrtime.bigint() - began) / 1e9, rows, cpu };
  } finally {
    await client.end();
  }
}

export async function benchReporting(
  ctx: { stack: BenchStack; client: Client; catcher: MailCatcher; log: (line: string) => void },
  ds: Dataset,
): Promise<Figure> {
  const from = new Date(Date.parse(ds.timeHigh) - 86_400_000).toISOString();
  // Warm both the same way: the scan before and after the cycle, the faster one counts.
  const scanBefore = await rawScan(ds.url, from, ds.timeHigh);
  ctx.catcher.clear();
  const taskQueue = `bench-reporting-${randomUUID()}`;
  const worker = await startWorker({
    temporalAddress: ctx.stack.temporalAddress,
    databaseUrl: ds.url,
    smtpUrl: ctx.catcher.smtpUrl,
    taskQueue,
    bundlePath: ctx.stack.bundlePath,
    home: ctx.stack.home,
  });
  let peak: number | null;
  let run: Awaited<ReturnType<typeof runGroups>>;
  let cpu: CpuAccount;
  try {
    ctx.log(`reporting cycle: ${ds.groups} groups, ${ds.events} events`);
    const postmaster = await postmasterPid(ds.url);
    const accounting = startCpuAccounting((pid, command, name, ppid) =>
      cycleRole({ pid, command, name, ppid }, worker.pid, postmaster),
    );
    try {
      run = await runGroups(ctx.client, {
        taskQueue,
        groups: Array.from({ length: ds.groups }, (_, i) => groupName(i)),
        timeHigh: ds.timeHigh,
        idPrefix: `bench-report-${ds.events}-${randomUUID().slice(0, 8)}`,
        // The account ends with the last run, not after the histories are read for the figure.
        onFinished: () => accounting.stop(),
      });
    } finally {
      cpu = accounting.stop();
    }
  } finally {
    peak = await worker.stop();
  }
  const scanAfter = await rawScan(ds.url, from, ds.timeHigh);
  const scan = scanBefore.seconds <= scanAfter.seconds ? scanBefore : scanAfter;

  const db = new pg.Client({ connectionString: ds.url });
  await db.connect();
  const stored = await db.query<{ reports: number; accepted: number; report_events: number }>(
    `SELECT (SELECT count(*)::int FROM reports) AS reports,
            (SELECT count(*)::int FROM report_outbox WHERE status = 'accepted') AS accepted,
            (SELECT count(*)::int FROM report_events) AS report_events`,
  );
  await db.end();
  const mails = (await ctx.catcher.messages()).length;
  let fetched = 0;
  let failed = 0;
  for (const r of run.results)
    for (const s of Object.values(r.severities)) {
      fetched += s?.counters.all ?? 0;
      if (s?.result === 'failed') failed++;
    }
  const row = stored.rows[0]!;
  // CPU per event of each side's own processes: what a noisy machine moves least (wall time on 2
  // shared cores includes waiting for them). "other" and another PostgreSQL are the machine's other
  // work, not the cycle's or the scan's.
  const ownCpu = (seconds: Record<string, number>) =>
    Object.entries(seconds)
      .filter(([role]) => !NOT_OURS.has(role))
      .reduce((sum, [, s]) => sum + s, 0);
  const cycleCpu = ownCpu(cpu.seconds);
  const scanCpu = ownCpu(scan.cpu.seconds);
  const microsPerEvent = (seconds: number, events: number) =>
    events > 0 ? round((seconds * 1e6) / events, 1) : null;
  return {
    benchmark: 'reporting',
    name: `full reporting cycle, ${ds.events.toLocaleString('en-US')} events over ${ds.groups} groups`,
    inputs: {
      events: ds.events,
      groups: ds.groups,
      seed: ds.seed,
      generator: 'scripts/demo/generate-events.ts + bench/lib/events-file.ts',
      window: `[${from}, ${ds.timeHigh})`,
    },
    herald: {
      seconds: round(run.seconds),
      eventsPerSecond: perSecond(ds.events, run.seconds),
      severityRuns: run.severityRuns,
      failedSeverityRuns: failed,
      eventsCounted: fetched,
      reportsStored: row.reports,
      reportEvents: row.report_events,
      mailsAccepted: row.accepted,
      mailsCaught: mails,
      historyEventsPerGroupRun: run.historyEventsPerGroupRun,
      cpuSeconds: round(cycleCpu),
      cpuMicrosecondsPerEvent: microsPerEvent(cycleCpu, ds.events),
    },
    baseline: {
      what: 'one plain SELECT of the same columns over the same window (cursor, FETCH 5000)',
      seconds: round(scan.seconds),
      rows: scan.rows,
      eventsPerSecond: perSecond(scan.rows, scan.seconds),
      cpuSeconds: round(scanCpu),
      cpuMicrosecondsPerEvent: microsPerEvent(scanCpu, scan.rows),
    },
    ratio: {
      value: round(run.seconds / scan.seconds, 1),
      meaning: 'full cycle time / raw scan time (goal ≤ 3 at 1M events)',
    },
    cpuRatio: {
      value: scanCpu > 0 ? round(cycleCpu / scanCpu, 1) : null,
      meaning:
        'CPU seconds of the cycle (all processes) / CPU seconds of the raw scan (goal ≤ 3 at 1M events)',
    },
    peakRssMiB: peak,
    activitySeconds: run.activitySeconds,
    activityQueueSeconds: run.activityQueueSeconds,
    workflowTaskSeconds: run.workflowTaskSeconds,
    retriedActivities: run.retriedActivities,
    cpuSeconds: cpu.seconds,
    machineBusy: cpu.machineBusy,
    baselineCpuSeconds: scan.cpu.seconds,
    notes: [
      'activitySeconds: execution time per activity type, summed over every run (they overlap in parallel)',
      `cpuSeconds: CPU time per process role during the cycle (${cpu.cores} cores: at most ${cpu.cores} CPU seconds per second); machineBusy: share of all cores busy; baselineCpuSeconds: the same for the raw scan that counts`,
    ],
  };
}

export function ingestFigure(ds: Dataset, baseline: CopyBaseline): Figure {
  const copySeconds = baseline.seconds;
  const s = ds.ingest.seconds;
  return {
    benchmark: 'ingest',
    name: `herald events ingest, ${ds.events.toLocaleString('en-US')} events from an NDJSON file`,
    inputs: {
      events: ds.events,
      seed: ds.seed,
      fileMiB: round(ds.ingest.fileBytes / 2 ** 20, 1),
      generator: 'scripts/demo/generate-events.ts + bench/lib/events-file.ts',
    },
    herald: {
      seconds: round(s),
      eventsPerSecond: perSecond(ds.events, s),
      accepted: ds.ingest.accepted,
      rejected: ds.ingest.rejected,
    },
    baseline: {
      what: `PostgreSQL's COPY of the stored rows, already converted, from the client into an empty table with the same ${baseline.indexes} indexes`,
      seconds: round(copySeconds),
      eventsPerSecond: perSecond(ds.events, copySeconds),
    },
    ratio: {
      value: round(s / copySeconds, 1),
      meaning: 'ingest time (whole CLI process) / COPY time of the converted rows',
    },
    peakRssMiB: ds.ingest.peakRssMiB,
    notes: ['peak RSS is the `herald events ingest` process (VmHWM sampled every 100 ms)'],
  };
}

/** The in-database copy of a dataset's rows: what writing them costs PostgreSQL alone. */
