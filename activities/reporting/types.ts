// What the reporting activities take and return: small values only (counters, ids, labels);
// events stay in PostgreSQL. Workflows import these as types.
import type { Counters } from '../../domain/reporting/chains';
import type { ReportType } from '../../domain/reporting/labels';
import type { Realm } from '../../domain/reporting/realm';
import type { ForceOptions } from '../../domain/reporting/report-plan';
import type { Severity } from '../../domain/reporting/severities';
import type { TimeWindow } from '../../domain/reporting/time-window';
import type { SeverityTiming } from '../../domain/reporting/timing';

/** How a run was started; `test-data` marks a test-data run in the ledger, `runs list` and the UI. */
export type RunKind = 'schedule' | 'adhoc' | 'backfill' | 'rerun' | 'test-data';

export interface MailOptions {
  /** `--mail-test-mode`: every mail goes to `mailTo` (or the admins) only; Cc and Bcc cleared. */
  mailTestMode?: boolean;
  mailTo?: string[];
}

/** What `herald force` can still change in a severity run until it renders. */
export type RenderOptions = Pick<SeverityRunInput, 'force' | 'mail'>;

/** The overrides a forced run records while its step works; `applied` false: too late. */
export interface RunOverridesInput extends RenderOptions {
  runId: string;
}

export interface SeverityRunInput {
  /** The severity workflow id: the run's idempotency key and staging key. */
  runId: string;
  group: string;
  severity: Severity;
  window: TimeWindow;
  testData: boolean;
  /** The threshold state this run reads and writes (domain/reporting/realm.ts). */
  realm: Realm;
  force: ForceOptions;
  mail: MailOptions;
  runKind: RunKind;
}

export interface FetchResult {
  fetched: { source: number; target: number };
  staged: number;
  /** Filter name → events it dropped (each event counted once per filter). */
  filterHits: Record<string, number>;
  /** Detector name → events it blocked for low credibility. */
  detectorHits: Record<string, number>;
  unknownDetectors: string[];
  filterErrors: number;
  /** True when writers stamping events in the window were still open at the deadline (docs/mentat.md, "Late writers"). */
  lateWritersPending: boolean;
}

export interface ReportRef {
  label: string;
  type: ReportType;
  ip: string | null;
  to: string[];
  cc: string[];
}

export interface RenderResult {
  result: 'reported' | 'skipped-no-events';
  counters: Counters;
  /** First reports of the run (at most REPORT_REF_LIMIT); `reportCount` has the total. */
  reports: ReportRef[];
  reportCount: number;
  outboxIds: number[];
}

export { REPORT_REF_LIMIT } from '../../domain/reporting/result-limits';

export interface SendResult {
  outboxId: number;
  status: 'accepted' | 'already-accepted' | 'failed';
  response?: string;
}

export interface GroupPlan {
  exists: boolean;
  enabled: boolean;
  intervalSeconds: number;
  timing: Record<Severity, SeverityTiming>;
  /** Newest completed window end per severity from the report_runs ledger. */
  ledgerCursors: Partial<Record<Severity, string>>;
}
