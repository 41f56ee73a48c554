// Every activity herald registers, built from the worker's dependencies. Each domain adds its
// factory here; workflows import only the *type* of this object.
import type { ActivityDeps } from './deps';
import { createMailRetryActivities } from './mail-retry';
import { createMonitorActivities } from './monitor';
import { createReportingActivities } from './reporting';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMailRetryActivities(deps),
    ...createMonitorActivities(deps),
    ...createReportingActivities(deps),
  };
}

export type HeraldActivities = ReturnType<typeof createActivities>;
