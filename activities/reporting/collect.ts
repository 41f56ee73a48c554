// Steps 1–3 in one activity: fetch, threshold, relapse. Each step is idempotent on its own (fetch
// and relapse replace their staging, threshold marks what is still unmarked), so a retry of the
// whole runs them again safely; one activity instead of three saves the severity run two
// activity round trips and two progress signals (issue 9: a cycle's cost was mostly per step).
import { Context } from '@temporalio/activity';
import type { ActivityDeps } from '../deps';
import { createFetchActivity } from './fetch';
import { createRelapseActivity } from './relapse';
import { createThresholdActivity } from './threshold';
import type { FetchResult, SeverityRunInput } from './types';

export interface CollectResult extends FetchResult {
  thresholded: number;
  relapsed: number;
}

export function createCollectActivity(deps: ActivityDeps) {
  const fetch = createFetchActivity(deps);
  const threshold = createThresholdActivity(deps);
  const relapse = createRelapseActivity(deps);
  return async function collectReportEvents(input: SeverityRunInput): Promise<CollectResult> {
    const ctx = Context.current();
    const fetched = await fetch(input);
    ctx.heartbeat({ stage: 'threshold' });
    ctx.cancellationSignal.throwIfAborted();
    const { thresholded } = await threshold(input);
    ctx.heartbeat({ stage: 'relapse' });
    ctx.cancellationSignal.throwIfAborted();
    const { relapsed } = await relapse(input);
    return { ...fetched, thresholded, relapsed };
  };
}
