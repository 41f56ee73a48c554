// `herald mail retry` hands the chosen mails to the mailRetry workflow (workflows/mail-retry.ts) on
// the workers' task queue and waits for it: the send runs where every report mail is sent, under
// the same rate limit and retries. Large retries go in batches, one workflow each, so no history
// grows past a few thousand events and the operator sees each batch's lines as it ends.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { config } from '../../config/env';
import type { RetryableMail } from '../../db/reporting/outbox-retry';
import { mailTaskQueue } from '../../domain/reporting/mail-task-queue';
import type { MailRetryOutcome } from '../../workflows/mail-retry';
import { UserError } from '../errors';

const BATCH = 200;

export type RetryOutcome = MailRetryOutcome & { label: string };

/** The mails' outcomes in their order, batch by batch (`onBatch` sees each batch as it ends). */
export async function retryMails(
  client: Client,
  mails: RetryableMail[],
  onBatch: (outcomes: RetryOutcome[]) => void = () => {},
): Promise<RetryOutcome[]> {
  const taskQueue = config().HERALD_TASK_QUEUE;
  await requireWorker(client, taskQueue);
  const nonce = randomUUID().slice(0, 8);
  const all: RetryOutcome[] = [];
  for (let start = 0; start < mails.length; start += BATCH) {
    const batch = mails.slice(start, start + BATCH);
    const outcomes: MailRetryOutcome[] = await client.workflow.execute('mailRetry', {
      taskQueue,
      workflowId: `mail-retry:${nonce}:${start / BATCH + 1}`,
      args: [{ outboxIds: batch.map((m) => m.outboxId) }],
    });
    const labelled = outcomes.map((o, i) => ({ ...o, label: batch[i]!.label }));
    onBatch(labelled);
    all.push(...labelled);
  }
  return all;
}

/** Without a worker on both queues the workflow would wait silently: say so instead. */
async function requireWorker(client: Client, taskQueue: string): Promise<void> {
  const { TaskQueueType } = proto.temporal.api.enums.v1;
  for (const [name, type] of [
    [taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
    [mailTaskQueue(taskQueue), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY],
  ] as const) {
    const { pollers } = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name },
      taskQueueType: type,
    });
    if (!pollers?.length)
      throw new UserError(`no herald worker polls task queue ${name}; start one (herald worker) and retry`);
  }
}
