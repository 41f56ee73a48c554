// Step 5, send: delivers one outbox row over SMTP with its stable Message-ID, once in practice:
// a row already accepted is skipped; the server's answer is recorded (fixes W-7). A 5xx is final
// (recorded, non-retryable); anything else (4xx, connection refused) is retried with backoff.
// The one duplicate left is "accepted by SMTP, crashed before the record"; the Message-ID lets
// receivers drop it.
import { ApplicationFailure } from '@temporalio/common';
import { loadOutboxRow, markAccepted, markAttempt, markFailed } from '../../db/reporting/outbox';
import type { ActivityDeps } from '../deps';
import type { SendResult } from './types';

export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: number })?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export function createSendActivity(deps: ActivityDeps) {
  return async function sendReportMail(input: { outboxId: number }): Promise<SendResult> {
    const row = await loadOutboxRow(deps.pool, input.outboxId);
    if (!row)
      throw ApplicationFailure.nonRetryable(
        `outbox row ${input.outboxId} does not exist`,
        'OutboxRowMissing',
      );
    if (row.status === 'accepted')
      return { outboxId: row.id, status: 'already-accepted', response: row.smtpResponse ?? undefined };
    if (row.status === 'failed')
      return { outboxId: row.id, status: 'failed', response: row.smtpResponse ?? undefined };
    await markAttempt(deps.pool, row.id);
    try {
      const info = await deps.mail.transport.sendMail({
        from: deps.mail.from,
        to: row.to,
        cc: row.cc.length > 0 ? row.cc : undefined,
        bcc: row.bcc.length > 0 ? row.bcc : undefined,
        subject: row.subject,
        text: row.text,
        html: row.html,
        messageId: row.messageId,
        headers: row.headers,
      });
      const response = String(info.response ?? 'accepted');
      await markAccepted(deps.pool, row.id, response);
      return { outboxId: row.id, status: 'accepted', response };
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const permanent = isPermanentSmtpError(error);
      await markFailed(deps.pool, row.id, message, permanent);
      if (permanent)
        throw ApplicationFailure.nonRetryable(
          `SMTP refused ${row.messageId}: ${message}`,
          'SmtpPermanentFailure',
        );
      throw error;
    }
  };
}
