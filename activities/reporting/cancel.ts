// The clean abort of a cancelled severity run (`herald cancel`): run by the workflow in a
// non-cancellable scope after its steps have stopped. Both are idempotent under retry.
import { clearStaged } from '../../db/reporting/staging';
import type { ActivityDeps } from '../deps';

export function createCancelActivities(deps: ActivityDeps) {
  return {
    /** Deletes this run's staged hits (not the threshold cleanup: expired thresholds stay). */
    async clearRunStaging(input: { runId: string }): Promise<{ staged: number }> {
      return { staged: await clearStaged(deps.pool, input.runId) };
    },

    /**
     * Marks the run's mails without an outcome as `cancelled`. Accepted and failed rows keep their
     * outcome; a send still in flight that SMTP accepts later overwrites this with `accepted`.
     */
    async cancelRunOutbox(input: { runId: string }): Promise<{ cancelled: number }> {
      const { rowCount } = await deps.pool.query(
        `UPDATE report_outbox o
            SET status = 'cancelled', cancelled_at = now(),
                last_error = coalesce(o.last_error, 'run cancelled')
           FROM reports r
          WHERE r.id = o.report_id AND r.run_id = $1 AND o.status = 'pending'`,
        [input.runId],
      );
      return { cancelled: rowCount ?? 0 };
    },
  };
}
