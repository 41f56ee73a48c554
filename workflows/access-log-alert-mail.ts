// accessLogAlertMail: records one alert transition and delivers its mail. The monitor starts one
// per transition and does not wait for it (parent close policy ABANDON), so neither a database nor
// an SMTP outage, nor a refusal, can keep the monitor from taking lines or continuing as new.
// Delivery is the report mails': the send activity on the mail task queue (its rate limit), a 5xx
// final and recorded on the outbox row, a 4xx or a refused login retried with backoff for a day.
import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HeraldActivities } from '../activities';
import { mailTaskQueue } from '../domain/reporting/mail-task-queue';
import type { AlertMailInput, AlertMailOutcome } from './access-log-messages';

const quick = proxyActivities<HeraldActivities>({
  startToCloseTimeout: '1 minute',
  // Recording must not be lost: keep retrying (a database outage) with a capped backoff.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const mailActivities = (taskQueue: string) =>
  proxyActivities<HeraldActivities>({
    taskQueue: mailTaskQueue(taskQueue),
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '1 day',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
  });

export async function accessLogAlertMail(input: AlertMailInput): Promise<AlertMailOutcome> {
  const { alertId } = await quick.recordAccessLogAlert(input);
  const { outboxId } = await quick.queueAccessLogAlertMail({ alertId });
  if (outboxId === null) return { alertId, outboxId, status: 'no-recipients' };
  try {
    await mailActivities(workflowInfo().taskQueue).sendReportMail({ outboxId });
    return { alertId, outboxId, status: 'accepted' };
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.nonRetryable)
      return { alertId, outboxId, status: 'refused' }; // recorded on the outbox row by the send
    // Retried for a day without an answer that settles it: failed, for `mail retry`.
    await quick.failUndeliveredAlertMail({ outboxId });
    return { alertId, outboxId, status: 'not-delivered' };
  }
}
