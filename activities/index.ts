// Every activity herald registers, built from the worker's dependencies. Each domain adds its
// factory here; workflows import only the *type* of this object.
import type { ActivityDeps } from './deps';

export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type HeraldActivities = ReturnType<typeof createActivities>;
