// The clean abort of a cancelled severity run (`herald cancel`), run by the workflow in a
// non-cancellable scope after its steps have stopped. Idempotent under retry.
import { cancelRunMails } from '../../db/reporting/outbox';
import type { ActivityDeps } from '../deps';

export function createCancelActivities(deps: ActivityDeps) {
  return {
    async cancelRunOutbox(input: { runId: string }): Promise<{ cancelled: number }> {
      return { cancelled: await cancelRunMails(deps.pool, input.runId) };
    },
  };
}
