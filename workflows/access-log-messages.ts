// The access-log monitor's messages, shared by the workflow and the CLI (tailer, status).
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ConfigChange, MonitorState } from '../domain/access-log/monitor-state';
import type { MonitorStatus } from '../domain/access-log/status-view';
import type { AlertTransition, IngestInput, IngestResult, MonitorConfig } from '../domain/access-log/types';
import type { HeraldSearchAttributeName } from '../domain/search-attributes';

export const monitorWorkflowId = (source: string): string => `access-log:${source}`;

export interface AccessLogMonitorInput {
  source: string;
  config: MonitorConfig;
  /** Continue as new after this many applied batches (tests); otherwise when Temporal suggests it. */
  maxBatchesPerRun?: number;
  /** Carried across continue-as-new. */
  state?: MonitorState;
  /** Alerts decided whose mail workflow was not started yet when the previous run continued as new. */
  pendingAlerts?: AlertTransition[];
}

/** One alert transition's mail workflow (started by the monitor, never waited for). */
export interface AlertMailInput {
  source: string;
  /** The monitor's workflow id (recorded with the alert). */
  workflowId: string;
  transition: AlertTransition;
}

export interface AlertMailOutcome {
  alertId: number;
  outboxId: number | null;
  status: 'accepted' | 'refused' | 'not-delivered' | 'no-recipients';
}

/** Stable per transition: a second start for the same transition is refused by Temporal. */
export const alertMailWorkflowId = (source: string, transition: AlertTransition): string =>
  `access-log-alert:${source}:${transition.state}:${transition.at}`;

/** The failure type of an ingest refused because the run is about to continue as new (retry it). */
export const CONTINUING_AS_NEW = 'ContinuingAsNew';

/** One flush of the tailer (or an idle heartbeat / a hello with neither range nor watermark). */
export const ingestUpdate = defineUpdate<IngestResult, [IngestInput]>('ingest');
/** Changes threshold, window or rule at run time; returns the new configuration. */
export const configureUpdate = defineUpdate<MonitorConfig, [ConfigChange]>('configure');
export const statusQuery = defineQuery<MonitorStatus>('status');
export const alertsQuery = defineQuery<AlertTransition[]>('alerts');
export const committedOffsetQuery = defineQuery<{ fileId: string | null; offset: number }>('committedOffset');

const keyword = (name: HeraldSearchAttributeName) =>
  defineSearchAttributeKey(name, SearchAttributeType.KEYWORD);
export const monitorSourceKey = keyword('HeraldMonitorSource');
export const alertStateKey = keyword('HeraldAlertState');
