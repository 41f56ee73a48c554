// The reporting engine's activities (issue 4), built from the worker's dependencies.
import type { ActivityDeps } from '../deps';
import { createCancelActivities } from './cancel';
import { createCleanupActivity } from './cleanup';
import { createCollectActivity } from './collect';
import { createFetchActivity } from './fetch';
import { createFinishActivity } from './finish';
import { createLedgerActivities } from './ledger';
import { createPlanActivity } from './plan';
import { createPrepareActivity } from './prepare';
import { createQuietWindowsActivity } from './quiet-windows';
import { createRelapseActivity } from './relapse';
import { createRenderActivity } from './render';
import { createRunOverridesActivity } from './run-overrides';
import { createSendActivity } from './send';
import { createThresholdActivity } from './threshold';

export function createReportingActivities(deps: ActivityDeps) {
  return {
    loadReportGroupPlan: createPlanActivity(deps),
    settleQuietWindows: createQuietWindowsActivity(deps),
    fetchReportEvents: createFetchActivity(deps),
    prepareReports: createPrepareActivity(deps),
    collectReportEvents: createCollectActivity(deps),
    thresholdReportEvents: createThresholdActivity(deps),
    relapseReportEvents: createRelapseActivity(deps),
    renderReports: createRenderActivity(deps),
    recordReportRunOverrides: createRunOverridesActivity(deps),
    sendReportMail: createSendActivity(deps),
    cleanupReportRun: createCleanupActivity(deps),
    finishReportRun: createFinishActivity(deps),
    ...createLedgerActivities(deps),
    ...createCancelActivities(deps),
  };
}

export type ReportingActivities = ReturnType<typeof createReportingActivities>;
