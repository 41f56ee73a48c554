// accessLogMonitor: one long-running workflow per log source (id `access-log:<source>`). Update
// handlers only change state (synchronously, so they never interleave); the main loop starts one
// accessLogAlertMail workflow per alert transition and does not wait for it (ABANDON), and
// continues as new carrying the state. Mail never holds up lines or continue-as-new.

import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  ParentClosePolicy,
  setHandler,
  startChild,
  upsertSearchAttributes,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyConfigChange,
  applyIngest,
  checkConfigChange,
  checkRange,
  newMonitorState,
} from '../domain/access-log/monitor-state';
import { statusView } from '../domain/access-log/status-view';
import type { AlertTransition, IngestInput } from '../domain/access-log/types';
import { accessLogAlertMail } from './access-log-alert-mail';
import {
  type AccessLogMonitorInput,
  alertMailWorkflowId,
  alertStateKey,
  alertsQuery,
  CONTINUING_AS_NEW,
  committedOffsetQuery,
  configureUpdate,
  ingestUpdate,
  monitorSourceKey,
  statusQuery,
} from './access-log-messages';

/** Starts the transition's mail workflow; already started (a retried task, a new run) is fine. */
async function startAlertMail(source: string, workflowId: string, transition: AlertTransition) {
  try {
    await startChild(accessLogAlertMail, {
      workflowId: alertMailWorkflowId(source, transition),
      args: [{ source, workflowId, transition }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

function validateIngest(
  state: ReturnType<typeof newMonitorState>,
  input: IngestInput,
  continuing: boolean,
): void {
  // Once this run is about to continue as new, it takes no more batches: the tailer retries and
  // reaches the next run, so a run's size is bounded however fast the tailer sends.
  if (continuing)
    throw ApplicationFailure.retryable('monitor is continuing as new; send again', CONTINUING_AS_NEW);
  if (input.refresh !== state.config.refresh)
    throw ApplicationFailure.nonRetryable(
      `monitor ${state.source} uses ${state.config.refresh} s buckets, the tailer sent ${input.refresh} s (use --refresh ${state.config.refresh})`,
      'RefreshMismatch',
    );
  if (input.watermark !== null && !Number.isFinite(input.watermark))
    throw ApplicationFailure.nonRetryable('watermark must be a number', 'BadInput');
  if (input.range) {
    if (!Array.isArray(input.range.buckets?.index))
      throw ApplicationFailure.nonRetryable(
        'range.buckets must be bucket columns (BucketBatch): is the tailer from another herald version?',
        'BadInput',
      );
    const check = checkRange(state, input.range);
    if (typeof check === 'object') throw ApplicationFailure.nonRetryable(check.outOfSync, 'OutOfSync');
  }
}

export async function accessLogMonitor(input: AccessLogMonitorInput): Promise<void> {
  const state = input.state ?? newMonitorState(input.source, input.config);
  const outbox: AlertTransition[] = [...(input.pendingAlerts ?? [])];
  let appliedThisRun = 0;
  const shouldContinue = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.maxBatchesPerRun !== undefined && appliedThisRun >= input.maxBatchesPerRun);

  setHandler(
    ingestUpdate,
    (ingest) => {
      let outcome: ReturnType<typeof applyIngest>;
      try {
        outcome = applyIngest(state, ingest);
      } catch (error) {
        // Fail this update only (a plain Error would fail the workflow task and retry forever).
        throw ApplicationFailure.nonRetryable((error as Error).message, 'OutOfSync');
      }
      const { result, transitions } = outcome;
      if (result.applied) appliedThisRun++;
      outbox.push(...transitions);
      return result;
    },
    { validator: (ingest) => validateIngest(state, ingest, shouldContinue()) },
  );
  setHandler(
    configureUpdate,
    (change) => {
      applyConfigChange(state, change);
      return state.config;
    },
    {
      validator: (change) => {
        const problem = checkConfigChange(state.config, change);
        if (problem) throw ApplicationFailure.nonRetryable(problem, 'BadConfig');
      },
    },
  );
  setHandler(statusQuery, () => statusView(state));
  setHandler(alertsQuery, () => state.alerts);
  setHandler(committedOffsetQuery, () => ({ fileId: state.fileId, offset: state.committedOffset }));

  const alertState = () => (state.rule.active ? 'alert' : 'ok');
  upsertSearchAttributes([
    { key: monitorSourceKey, value: state.source },
    { key: alertStateKey, value: alertState() },
  ]);

  const { workflowId } = workflowInfo();
  for (;;) {
    await condition(() => outbox.length > 0 || shouldContinue());
    while (outbox.length > 0) {
      await startAlertMail(state.source, workflowId, outbox[0]!);
      outbox.shift();
      upsertSearchAttributes([{ key: alertStateKey, value: alertState() }]);
    }
    if (shouldContinue()) {
      await condition(allHandlersFinished);
      if (outbox.length > 0) continue;
      state.generation++;
      await continueAsNew<typeof accessLogMonitor>({ ...input, state, pendingAlerts: outbox });
    }
  }
}
