// The reporting engine's messages and shapes, shared by the workflows and the CLI: inputs,
// results, the `force` signal, the `progress` query, workflow ids and search attribute keys.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReportRef, RunKind } from '../activities/reporting/types';
import type { LedgerEntry } from '../db/reporting/ledger';
import type { Counters } from '../domain/reporting/chains';
import type { ReportingMode } from '../domain/reporting/report-plan';
import type { Severity } from '../domain/reporting/severities';
import type { TimeWindow } from '../domain/reporting/time-window';
import type { HeraldSearchAttributeName } from '../domain/search-attributes';

export type { RunKind } from '../activities/reporting/types';

/** Force options of Mentat's reporter, plus herald's mail test mode. */
export interface ForceOverrides {
  mode?: ReportingMode;
  template?: string;
  locale?: string;
  timezone?: string;
  testData?: boolean;
  mailTestMode?: boolean;
  mailTo?: string[];
}

export interface ReportGroupInput {
  group: string;
  /** Explicit upper bound (ISO); otherwise the schedule's nominal time, else the start time. */
  timeHigh?: string;
  /** Only these severities (default: all five). */
  severities?: Severity[];
  force?: ForceOverrides;
  runKind?: RunKind;
}

/** A group run that re-reports one past window `[rerun.from, timeHigh)`. */
export interface RerunWindow {
  from: string;
  /** Makes the re-run's severity ids unique (several re-runs of one window may exist). */
  nonce: string;
}

export interface ReportGroupRunInput extends ReportGroupInput {
  rerun?: RerunWindow;
  /** Ignore `force` for runs whose nominal time is at or after this (ISO): `herald force --until`. */
  forceUntil?: string;
}

/** `herald rerun`: a past period `[from, to)`, cut into windows of `windowSeconds` (the last may be shorter). */
export interface ReportRerunInput {
  group: string;
  from: string;
  to: string;
  windowSeconds: number;
  severities?: Severity[];
  force?: ForceOverrides;
  nonce: string;
}

export interface RerunWindowResult {
  window: TimeWindow;
  workflowId: string;
  /** Counters summed over the window's severities; reports = reports made. */
  counters: Counters;
  reports: number;
  failed: Severity[];
}

export interface RerunProgress {
  total: number;
  done: number;
  current: string | null;
  windows: RerunWindowResult[];
}

export type SeverityOutcome = 'reported' | 'skipped-no-events' | 'skipped-too-soon' | 'failed';

export interface SeverityRunSummary {
  result: SeverityOutcome;
  window: TimeWindow;
  counters: Counters;
  reports: ReportRef[];
  reportCount: number;
  workflowId?: string;
  /** The window had already been run (by the schedule or another ad-hoc run). */
  existing?: boolean;
  mail?: { accepted: number; failed: number };
  error?: string;
}

export interface ReportGroupResult {
  group: string;
  timeHigh: string | null;
  /** Per severity: the end of the last window reported (the durable cursor). */
  cursors: Partial<Record<Severity, string>>;
  severities: Partial<Record<Severity, SeverityRunSummary>>;
  /** Nothing ran: the group is unknown or disabled, or time_h lay in the future. */
  skipped?: 'group-unknown' | 'group-disabled' | 'time-high-in-future';
}

export type SeverityStage =
  | 'pending'
  | 'skipped-too-soon'
  | 'fetch'
  | 'threshold'
  | 'relapse'
  | 'render'
  | 'send'
  | 'cleanup'
  | 'running'
  | 'done'
  | 'failed';

export interface SeverityProgress {
  stage: SeverityStage;
  window?: TimeWindow;
  workflowId?: string;
  result?: SeverityOutcome;
  counters?: Counters;
}

export type GroupProgress = Partial<Record<Severity, SeverityProgress>>;

/** Overrides for the severities the run has not started yet. */
export const forceSignal = defineSignal<[ForceOverrides]>('force');
/** The same, validated (refused before they reach history); returns the group run's merged overrides. */
export const forceOverridesUpdate = defineUpdate<ForceOverrides, [ForceOverrides]>('forceOverrides');
export const rerunProgressQuery = defineQuery<RerunProgress>('rerunProgress');
export const progressQuery = defineQuery<GroupProgress>('progress');
/** A severity run tells its group run where it is (stage, counters so far). */
export const severityProgressSignal =
  defineSignal<[{ severity: Severity; progress: SeverityProgress }]>('severityProgress');
export const severityProgressQuery = defineQuery<SeverityProgress>('severityProgress');

export const scheduleIdFor = (group: string): string => `report:${group}`;

export function severityWorkflowId(
  group: string,
  severity: Severity,
  windowEnd: string,
  testData = false,
): string {
  return `report:${group}:${severity}:${new Date(windowEnd).toISOString()}${testData ? ':test-data' : ''}`;
}

export const rerunSeverityWorkflowId = (
  group: string,
  severity: Severity,
  windowEnd: string,
  nonce: string,
): string => `${severityWorkflowId(group, severity, windowEnd)}:rerun:${nonce}`;

export const rerunGroupWorkflowId = (group: string, windowEnd: string, nonce: string): string =>
  `report:${group}:rerun:${new Date(windowEnd).toISOString()}:${nonce}`;

export function adhocGroupWorkflowId(group: string, timeHigh: string | undefined, nonce: string): string {
  return `report:${group}:run:${timeHigh ?? 'now'}:${nonce}`;
}

/** How the ledger's row of an already-run window reads as a group run's severity summary. */
export function summaryFromLedger(entry: LedgerEntry, limit: number): SeverityRunSummary {
  return {
    result: entry.result,
    window: entry.window,
    counters: entry.counters,
    reports: entry.reports.slice(0, limit) as ReportRef[],
    reportCount: entry.reports.length,
    workflowId: entry.workflowId,
    existing: true,
  };
}

const keyword = (name: HeraldSearchAttributeName) =>
  defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);
export const heraldGroupKey = keyword('HeraldGroup');
export const heraldSeverityKey = keyword('HeraldSeverity');
export const heraldRunKindKey = keyword('HeraldRunKind');
/** Set by Temporal on workflows started by a schedule: the action's nominal time. */
export const scheduledStartTimeKey = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
