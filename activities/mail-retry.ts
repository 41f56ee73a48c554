// Activities of `herald mail retry` around the send activity: reopen a mail for sending, and fail
// it again when the retry does not deliver it. Both are idempotent (plain conditional updates).
import { refailMail, reopenMail } from '../db/reporting/outbox-retry';
import type { ActivityDeps } from './deps';

export function createMailRetryActivities(deps: ActivityDeps) {
  return {
    async reopenReportMail(input: { outboxId: number }): Promise<void> {
      await reopenMail(deps.pool, input.outboxId);
    },
    async refailReportMail(input: { outboxId: number }): Promise<void> {
      await refailMail(deps.pool, input.outboxId);
    },
  };
}

export type MailRetryActivities = ReturnType<typeof createMailRetryActivities>;
