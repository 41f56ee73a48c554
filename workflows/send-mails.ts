// The send step of a severity run: one activity per mail on the mail task queue, where the
// workers' rate limit applies. Workflow-side code, not a workflow.
import {
  ActivityCancellationType,
  ActivityFailure,
  isCancellation,
  proxyActivities,
} from '@temporalio/workflow';
import type { ReportingActivities } from '../activities/reporting';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';
import { settleAll } from './settle-all';

/** Mails sent at once by one run (the MTA sees at most this many connections from it). */
export const SEND_CONCURRENCY = 10;

// Retried with backoff for up to a day (an MTA down for a while; a day also covers a long
// rate-limited run); a 5xx fails at once. Cancellation waits until a send has really stopped.
const mailActivities = (taskQueue: string) =>
  proxyActivities<Pick<ReportingActivities, 'sendReportMail'>>({
    taskQueue: mailTaskQueue(taskQueue),
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });

/** Sends the outbox rows; a refused mail is recorded on its row and the others still go out. */
export async function sendMails(
  outboxIds: readonly number[],
  taskQueue: string,
): Promise<{ accepted: number; failed: number }> {
  const { sendReportMail } = mailActivities(taskQueue);
  let accepted = 0;
  let failed = 0;
  const queue = [...outboxIds];
  const sender = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        await sendReportMail({ outboxId: id });
        accepted++;
      } catch (error) {
        if (isCancellation(error) || !(error instanceof ActivityFailure)) throw error;
        failed++;
      }
    }
  };
  // Settled, not Promise.all: on cancellation no send is still in flight when the cleanup runs.
  await settleAll(Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, sender));
  return { accepted, failed };
}
