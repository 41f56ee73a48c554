// accessLogMonitor: one long-running workflow per log source (id `access-log:<source>`). Update
// handlers only change state (synchronously, so they never interleave); the main loop records
// and mails alert transitions through activities, and continues as new carrying the state.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { HeraldActivities } from '../activities';
import {
  applyConfigChange,
  applyIngest,
  checkConfigChange,
  checkRange,
  newMonitorState,
} from '../domain/access-log/monitor-state';
import { statusView } from '../domain/access-log/status-view';
import type { AlertTransition, IngestInput } from '../domain/access-log/types';
import {
  type AccessLogMonitorInput,
  alertStateKey,
  alertsQuery,
  CONTINUING_AS_NEW,
  committedOffsetQuery,
  configureUpdate,
  ingestUpdate,
  monitorSourceKey,
  statusQuery,
} from './access-log-messages';

const { recordAccessLogAlert, mailAccessLogAlert } = proxyActivities<HeraldActivities>({
  startToCloseTimeout: '1 minute',
  // An alert must not be lost: keep retrying (DB or SMTP outage) with a capped backoff.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

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
      const transition = outbox[0]!;
      const { alertId } = await recordAccessLogAlert({ source: state.source, workflowId, transition });
      await mailAccessLogAlert({ alertId });
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
