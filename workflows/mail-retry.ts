// mailRetry: `herald mail retry` sends chosen outbox mails again through the same send activity as
// a report run, on the mail task queue, so the workers' rate limit (HERALD_MAIL_RATE_PER_SECOND)
// and Temporal's retries hold for them too. It is given outbox ids only: the mails stay in
// PostgreSQL, never in history.
import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { MailRetryActivities } from '../activities/mail-retry';
import type { ReportingActivities } from '../activities/reporting';
import type { SendResult } from '../activities/reporting/types';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';
import { DATABASE_RETRY } from './retry-policies';

export interface MailRetryInput {
  outboxIds: number[];
}

export type MailRetryOutcome =
  | { outboxId: number; status: 'delivered'; result: SendResult }
  | { outboxId: number; status: 'not-delivered'; error: string };

/** Mails sent at once (the MTA sees at most this many connections from one retry). */
const SEND_CONCURRENCY = 10;

const outbox = proxyActivities<MailRetryActivities>({
  startToCloseTimeout: '1 minute',
  retry: DATABASE_RETRY,
});

// An operator waits for the answer: a temporary refusal (4xx, an outage, a refused login) is tried
// a few times within seconds, then reported; a 5xx is final at once (the send activity says so).
const mailActivities = (taskQueue: string) =>
  proxyActivities<Pick<ReportingActivities, 'sendReportMail'>>({
    taskQueue: mailTaskQueue(taskQueue),
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 3 },
  });

export async function mailRetry(input: MailRetryInput): Promise<MailRetryOutcome[]> {
  const mail = mailActivities(workflowInfo().taskQueue);
  const outcomes: MailRetryOutcome[] = new Array(input.outboxIds.length);
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < input.outboxIds.length; i = next++) {
      const outboxId = input.outboxIds[i]!;
      await outbox.reopenReportMail({ outboxId });
      try {
        outcomes[i] = { outboxId, status: 'delivered', result: await mail.sendReportMail({ outboxId }) };
      } catch (error) {
        if (!(error instanceof ActivityFailure)) throw error;
        await outbox.refailReportMail({ outboxId });
        outcomes[i] = { outboxId, status: 'not-delivered', error: error.cause?.message ?? error.message };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, input.outboxIds.length) }, sender));
  return outcomes;
}
