// The state of one group run (safe-message-handlers style): what `force` set, each severity's
// progress and result, and the cursors the run returns. Handlers and the run body change it only
// through these methods. Workflow-side code, not a workflow.
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import type { GroupPlan, RunKind } from '../activities/reporting/types';
import { ZERO_COUNTERS } from '../domain/reporting/chains';
import { type Realm, thresholdRealm } from '../domain/reporting/realm';
import type { Severity } from '../domain/reporting/severities';
import { iso, laterCursor, severityWindow, type TimeWindow } from '../domain/reporting/time-window';
import {
  type ForceOverrides,
  forceSignal,
  type GroupProgress,
  type ReportGroupResult,
  type ReportGroupRunInput,
  rerunSeverityWorkflowId,
  type SeverityProgress,
  type SeverityRunSummary,
  severityWorkflowId,
} from './report-messages';

/** A severity due in this run: its window and the id its child runs under (the window's lock). */
export interface DueSeverity {
  severity: Severity;
  window: TimeWindow;
  workflowId: string;
}

export const emptySummary = (
  result: 'skipped-no-events' | 'skipped-too-soon',
  window: TimeWindow,
): SeverityRunSummary => ({ result, window, counters: { ...ZERO_COUNTERS }, reports: [], reportCount: 0 });

export function failedSummary(window: TimeWindow, workflowId: string, error: string): SeverityRunSummary {
  return { ...emptySummary('skipped-no-events', window), result: 'failed', workflowId, error };
}

export class GroupRun {
  readonly force: ForceOverrides;
  readonly progress: GroupProgress = {};
  private readonly results: Partial<Record<Severity, SeverityRunSummary>> = {};
  private readonly cursors: Partial<Record<Severity, string>>;

  constructor(
    private readonly input: ReportGroupRunInput,
    readonly severities: readonly Severity[],
    private readonly previous: ReportGroupResult | undefined,
  ) {
    this.force = { ...input.force };
    this.cursors = input.rerun ? {} : { ...previous?.cursors };
    for (const severity of severities) this.progress[severity] = { stage: 'pending' };
  }

  get testData(): boolean {
    return this.force.testData === true;
  }

  /** The threshold state of this run's severity runs (docs/run-kinds.md). */
  get realm(): Realm {
    return thresholdRealm({ testData: this.testData, rerunNonce: this.input.rerun?.nonce });
  }

  /** `herald force`: merged here and passed on to the severity runs still before their render. */
  applyForce(overrides: ForceOverrides): ForceOverrides {
    Object.assign(this.force, overrides);
    for (const p of Object.values(this.progress)) {
      if (!p?.workflowId || p.stage === 'done' || p.stage === 'failed') continue;
      getExternalWorkflowHandle(p.workflowId)
        .signal(forceSignal, overrides)
        .catch(() => {});
    }
    return { ...this.force };
  }

  /** `herald force --until`: a stored override no longer applies to runs at or after it. */
  expireForce(nominalTime: number): void {
    if (!this.input.forceUntil || nominalTime < Date.parse(this.input.forceUntil)) return;
    for (const key of Object.keys(this.force)) delete this.force[key as keyof ForceOverrides];
  }

  /** A severity run's own report of its stage; a late one never moves a finished severity back. */
  onSeverityProgress(severity: Severity, reported: SeverityProgress): void {
    const current = this.progress[severity];
    if (current?.stage === 'done' || current?.stage === 'failed') return;
    this.progress[severity] = { ...reported, stage: reported.stage === 'done' ? 'running' : reported.stage };
  }

  /** The severities due at time_h; the others are recorded as skipped-too-soon. */
  dueSeverities(plan: GroupPlan, timeHigh: number): DueSeverity[] {
    const rerun = this.input.rerun;
    const due: DueSeverity[] = [];
    for (const severity of this.severities) {
      // The later of the durable result and the ledger: an ad-hoc run in between moves it too.
      // Test-data runs and re-runs read no real cursor: a test-data window is [time_h − per, time_h).
      const known =
        rerun || this.testData
          ? undefined
          : laterCursor(this.previous?.cursors?.[severity], plan.ledgerCursors[severity]);
      if (known && !this.testData) this.cursors[severity] = laterCursor(this.cursors[severity], known);
      const next = severityWindow({
        cursor: known,
        periodSeconds: plan.timing[severity].per,
        timeHigh,
        ...(rerun ? { rerunFrom: rerun.from } : {}),
      });
      if (!next.due) {
        this.progress[severity] = { stage: 'skipped-too-soon' };
        this.results[severity] = emptySummary('skipped-too-soon', next.window);
        continue;
      }
      const workflowId = rerun
        ? rerunSeverityWorkflowId(this.input.group, severity, next.window.to, rerun.nonce)
        : severityWorkflowId(this.input.group, severity, next.window.to, this.testData);
      due.push({ severity, window: next.window, workflowId });
    }
    return due;
  }

  /** The quiet-window check reads the window as a fetch would; no child yet. */
  checking(d: DueSeverity): void {
    this.progress[d.severity] = { stage: 'fetch', window: d.window };
  }

  /** A severity run starts with its fetch (it reports its later stages itself). */
  started(d: DueSeverity): void {
    this.progress[d.severity] = { stage: 'fetch', window: d.window, workflowId: d.workflowId };
  }

  /** A severity's outcome; a real, non-re-run window that did not fail moves its cursor. */
  finish(d: DueSeverity, summary: SeverityRunSummary, withWorkflowId = true): void {
    this.results[d.severity] = summary;
    if (summary.result !== 'failed' && !this.testData && !this.input.rerun)
      this.cursors[d.severity] = laterCursor(this.cursors[d.severity], d.window.to);
    this.progress[d.severity] = {
      stage: summary.result === 'failed' ? 'failed' : 'done',
      window: d.window,
      ...(withWorkflowId ? { workflowId: d.workflowId } : {}),
      result: summary.result,
      counters: summary.counters,
    };
  }

  result(timeHigh: number): ReportGroupResult {
    return {
      group: this.input.group,
      timeHigh: iso(timeHigh),
      cursors: this.cursors,
      severities: this.results,
    };
  }

  skipped(reason: NonNullable<ReportGroupResult['skipped']>): ReportGroupResult {
    return {
      group: this.input.group,
      timeHigh: null,
      cursors: this.previous?.cursors ?? {},
      severities: {},
      skipped: reason,
    };
  }

  runKind(scheduled: boolean): RunKind {
    if (this.input.rerun) return 'rerun';
    if (this.testData) return 'test-data';
    return this.input.runKind ?? (scheduled ? 'schedule' : 'adhoc');
  }
}
