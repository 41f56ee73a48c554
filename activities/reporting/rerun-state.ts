// A re-run keeps thresholds of its own while it walks its windows (docs/run-kinds.md); when it ends
// (completed, failed or cancelled) they go, so they never suppress anything else.
import { clearRealm } from '../../db/reporting/thresholds';
import { thresholdRealm } from '../../domain/reporting/realm';
import type { ActivityDeps } from '../deps';

export function createRerunStateActivity(deps: ActivityDeps) {
  return async function clearRerunThresholds(input: { nonce: string }): Promise<{ thresholds: number }> {
    return {
      thresholds: await clearRealm(deps.pool, thresholdRealm({ testData: false, rerunNonce: input.nonce })),
    };
  };
}
