// The reporting engine's activities, built from the worker's dependencies. Workflows proxy them
// by timeout profile, each proxy typed with the activities it may call (Pick<…>).
import type { ActivityDeps } from '../deps';
import { createFinishActivities } from './finish';
import { createLedgerActivities } from './ledger';
import { createPlanActivity } from './plan';
import { createPrepareActivity } from './prepare';
import { createQuietWindowsActivity } from './quiet-windows';
import { createRerunStateActivity } from './rerun-state';
import { createRunOverridesActivity } from './run-overrides';
import { createSendActivity } from './send';

export function createReportingActivities(deps: ActivityDeps) {
  return {
    loadReportGroupPlan: createPlanActivity(deps),
    settleQuietWindows: createQuietWindowsActivity(deps),
    prepareReports: createPrepareActivity(deps),
    recordReportRunOverrides: createRunOverridesActivity(deps),
    sendReportMail: createSendActivity(deps),
    clearRerunThresholds: createRerunStateActivity(deps),
    ...createLedgerActivities(deps),
    ...createFinishActivities(deps),
  };
}

export type ReportingActivities = ReturnType<typeof createReportingActivities>;
