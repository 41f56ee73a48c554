// A benchmark's result: what it measured, on which inputs, against which baseline, as a ratio.
export interface Figure {
  benchmark: string;
  /** What the row measures, e.g. "reporting cycle, 100k events". */
  name: string;
  /** Everything needed to reproduce it: sizes, seeds, files. */
  inputs: Record<string, string | number | boolean>;
  /** herald's numbers. */
  herald: Record<string, number | string | null>;
  /** The reference measured in the same run (database scan, GoAccess, pooled SMTP, …). */
  baseline?: { what: string } & Record<string, number | string | null>;
  /** herald / baseline, with what the number means. */
  ratio: { value: number | null; meaning: string };
  /** The same ratio in CPU seconds, where both sides are whole processes. */
  cpuRatio?: { value: number | null; meaning: string };
  /** The machine's 1, 5 and 15 minute load averages when the figure finished (shared machines). */
  loadAverage?: string;
  /** Peak RSS of the worker (or of herald's process for figures without a worker), MiB. */
  peakRssMiB: number | null;
  /** CPU seconds per process role while the figure ran (worker, PostgreSQL, Temporal, harness). */
  cpuSeconds?: Record<string, number>;
  /** Share of all the machine's cores busy while the figure ran, 0–1. */
  machineBusy?: number;
  /** CPU seconds per process role while the baseline ran (the raw scan: its backend and client). */
  baselineCpuSeconds?: Record<string, number>;
  /** Where the time went: execution seconds per activity type, summed. */
  activitySeconds?: Record<string, number>;
  /** Seconds activities waited in the task queue (scheduled → started) per type, summed. */
  activityQueueSeconds?: Record<string, number>;
  /**
   * Workflow tasks: seconds queued (scheduled → started) and running, summed; how many; and how
   * many missed the worker's cache (sent to the normal queue after a run's first task).
   */
  workflowTaskSeconds?: { queued: number; running: number; count: number; unsticky?: number };
  /** Activities per type that needed more than one attempt. */
  retriedActivities?: Record<string, number>;
  notes?: string[];
}

export interface Skipped {
  benchmark: string;
  reason: string;
}

export const seconds = (startNs: bigint) => Number(process.hrtime.bigint() - startNs) / 1e9;
export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const perSecond = (count: number, s: number) => (s > 0 ? Math.round(count / s) : null);

function cell(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en-US');
  return String(value ?? '—');
}

/** The human form: one block per figure, every number with its ratio and inputs. */
export function formatFigures(figures: Figure[], skipped: Skipped[]): string {
  const lines: string[] = [];
  for (const f of figures) {
    lines.push(`■ ${f.benchmark}: ${f.name}`);
    lines.push(
      `  inputs   ${Object.entries(f.inputs)
        .map(([k, v]) => `${k}=${cell(v)}`)
        .join('  ')}`,
    );
    lines.push(
      `  herald   ${Object.entries(f.herald)
        .map(([k, v]) => `${k}=${cell(v)}`)
        .join('  ')}`,
    );
    if (f.baseline)
      lines.push(
        `  baseline ${Object.entries(f.baseline)
          .map(([k, v]) => `${k}=${cell(v)}`)
          .join('  ')}`,
      );
    lines.push(`  ratio    ${f.ratio.value === null ? '—' : `${f.ratio.value}×`}  (${f.ratio.meaning})`);
    if (f.cpuRatio)
      lines.push(
        `  cpu      ${f.cpuRatio.value === null ? '—' : `${f.cpuRatio.value}×`}  (${f.cpuRatio.meaning})`,
      );
    if (f.loadAverage) lines.push(`  load     ${f.loadAverage} (1, 5, 15 min)`);
    lines.push(`  peak RSS ${f.peakRssMiB ?? '—'} MiB`);
    if (f.activitySeconds)
      lines.push(
        `  activity ${Object.entries(f.activitySeconds)
          .map(([k, v]) => `${k}=${v}s`)
          .join('  ')}`,
      );
    if (f.activityQueueSeconds)
      lines.push(
        `  queued   ${Object.entries(f.activityQueueSeconds)
          .map(([k, v]) => `${k}=${v}s`)
          .join('  ')}`,
      );
    if (f.workflowTaskSeconds)
      lines.push(
        `  wf tasks ${f.workflowTaskSeconds.count} tasks, queued ${f.workflowTaskSeconds.queued}s, running ${f.workflowTaskSeconds.running}s`,
      );
    if (f.retriedActivities && Object.keys(f.retriedActivities).length)
      lines.push(
        `  retried  ${Object.entries(f.retriedActivities)
          .map(([k, v]) => `${k}=${v}`)
          .join('  ')}`,
      );
    for (const note of f.notes ?? []) lines.push(`  note     ${note}`);
    lines.push('');
  }
  for (const s of skipped) lines.push(`■ ${s.benchmark}: SKIPPED — ${s.reason}`, '');
  return lines.join('\n');
}
