// The reporting engine's activities (issue 4), built from the worker's dependencies.
import type { ActivityDeps } from '../deps';
import { createCancelActivities } from './cancel';
import { createCleanupActivity } from './cleanup';
import { createFetchActivity } from './fetch';
import { createLedgerActivities } from './ledger';
import { createPlanActivity } from './plan';
import { createRelapseActivity } from './relapse';
import { createRenderActivity } from './render';
import { createSendActivity } from './send';
import { createThresholdActivity } from './threshold';

export function createReportingActivities(deps: ActivityDeps) {
  return {
    loadReportGroupPlan: createPlanActivity(deps),
    fetchReportEvents: createFetchActivity(deps),
    thresholdReportEvents: createThresholdActivity(deps),
    relapseReportEvents: createRelapseActivity(deps),
    renderReports: createRenderActivity(deps),
    sendReportMail: createSendActivity(deps),
    cleanupReportRun: createCleanupActivity(deps),
    ...createLedgerActivities(deps),
    ...createCancelActivities(deps),
  };
}

export type ReportingActivities = ReturnType<typeof createReportingActivities>;
