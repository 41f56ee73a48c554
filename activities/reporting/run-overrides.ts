// `herald force` reaching a one-step severity run while its step works (waiting at the window
// fence, fetching): the run records its options here and the step renders with them. Under the
// run's render lock, so the answer is exact: recorded before the step renders, or refused
// because the reports are already stored. Idempotent: the same options recorded again.
import { inTransaction } from '../../db/pool';
import { recordRunOverrides } from '../../db/reporting/run-overrides';
import type { ActivityDeps } from '../deps';
import type { RunOverridesInput } from './types';

export function createRunOverridesActivity(deps: ActivityDeps) {
  return async function recordReportRunOverrides(input: RunOverridesInput): Promise<{ applied: boolean }> {
    const applied = await inTransaction(deps.pool, (client) =>
      recordRunOverrides(client, input.runId, { force: input.force, mail: input.mail }),
    );
    return { applied };
  };
}
