// Step 5, send: delivers one outbox row over SMTP with its stable Message-ID, once in practice:
// a row already accepted is skipped; the server's answer and queue id are recorded (docs/mentat.md, "Delivery recorded").
// A 5xx or an address nodemailer cannot use is final (recorded, non-retryable); anything else
// (4xx, connection refused, timeouts, a refused login) is retried by Temporal with backoff.
// An acceptance PostgreSQL could not record (an outage between the 250 and the outbox write) is
// kept in the heartbeat details and recorded by the next attempt without sending again; the
// duplicate window left is docs/mail.md's "Duplicates".
import { ApplicationFailure } from '@temporalio/common';
import type { SentMessageInfo } from 'nodemailer';
import { loadOutboxRow, markAccepted, markAttempt, markFailed } from '../../db/reporting/outbox';
import { deliverMail } from '../../delivery/outgoing-mail';
import type { ActivityDeps } from '../deps';
import { acceptanceOfEarlierAttempt, rememberAcceptance } from './smtp-acceptance';
import type { SendResult } from './types';

interface SmtpError {
  responseCode?: number;
  code?: string;
  message?: string;
}

// Refusals of herald's own login or TLS rather than of the mail: 530 (authentication or STARTTLS
// required), 534, 535 (credentials invalid), 538, and nodemailer's EAUTH. Every mail would meet
// them until an operator fixes HERALD_SMTP_URL (or the server's account) and restarts the worker,
// so they are retried like an outage: the mails go out then, instead of each failing for good.
const SENDER_SETTINGS_CODES = new Set([530, 534, 535, 538]);

export function isPermanentSmtpError(error: unknown): boolean {
  const e = error as SmtpError | undefined;
  const code = e?.responseCode;
  if (e?.code === 'EAUTH' || (typeof code === 'number' && SENDER_SETTINGS_CODES.has(code))) return false;
  if (typeof code === 'number') return code >= 500 && code < 600;
  // No reply code: nodemailer refused the envelope itself (no usable recipient address).
  return e?.code === 'EENVELOPE';
}

/** The MTA's queue id from its 250 reply ("250 2.0.0 Ok: queued as 4F3A2B1C"). */
export function queueIdOf(response: string): string | null {
  return (
    response.match(/queued as ([\w.-]+)/i)?.[1] ??
    response.match(/^250 [\d.]+ (?:OK )?id=([\w.-]+)/i)?.[1] ??
    null
  );
}

export function createSendActivity(deps: ActivityDeps) {
  return async function sendReportMail(input: { outboxId: number }): Promise<SendResult> {
    const earlier = acceptanceOfEarlierAttempt(input.outboxId);
    if (earlier) {
      // Heartbeated again: should this write fail too, the attempt after this one still has it.
      rememberAcceptance(earlier);
      await markAccepted(
        deps.pool,
        earlier.outboxId,
        earlier.response,
        earlier.queueId,
        new Date(earlier.acceptedAt),
      );
      deps.logger.info(
        { messageId: earlier.messageId, acceptedAt: earlier.acceptedAt },
        'mail accepted by SMTP in an earlier attempt; recorded without sending it again',
      );
      return { outboxId: earlier.outboxId, status: 'accepted', response: earlier.response };
    }
    const row = await loadOutboxRow(deps.pool, input.outboxId);
    if (!row)
      throw ApplicationFailure.nonRetryable(
        `outbox row ${input.outboxId} does not exist`,
        'OutboxRowMissing',
      );
    if (row.status === 'accepted')
      return { outboxId: row.id, status: 'already-accepted', response: row.smtpResponse ?? undefined };
    if (row.status === 'cancelled')
      throw ApplicationFailure.nonRetryable(
        `${row.messageId} belongs to a cancelled run and is not sent`,
        'OutboxRowCancelled',
      );
    if (row.status === 'failed')
      throw ApplicationFailure.nonRetryable(
        `SMTP refused ${row.messageId} earlier: ${row.smtpResponse ?? ''}`,
        'SmtpPermanentFailure',
      );
    await markAttempt(deps.pool, row.id);
    let info: SentMessageInfo;
    try {
      info = await deliverMail(deps.mail, {
        to: row.to,
        cc: row.cc,
        bcc: row.bcc,
        subject: row.subject,
        text: row.text,
        html: row.html,
        messageId: row.messageId,
        headers: row.headers,
        attachments: row.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
          headers: { 'Content-Description': 'Raw data relevant to report' },
        })),
      });
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      const permanent = isPermanentSmtpError(error);
      await markFailed(deps.pool, row.id, message, permanent);
      if (permanent) {
        deps.logger.error({ messageId: row.messageId, to: row.to, error: message }, 'mail refused for good');
        throw ApplicationFailure.nonRetryable(
          `SMTP refused ${row.messageId}: ${message}`,
          'SmtpPermanentFailure',
        );
      }
      deps.logger.warn({ messageId: row.messageId, error: message }, 'mail not delivered yet; will retry');
      throw error;
    }
    let response = String(info.response ?? 'accepted');
    // Some recipients refused while others took it: delivered, and the refusals are on record.
    const rejected = ((info.rejected ?? []) as (string | { address: string })[]).map((a) =>
      typeof a === 'string' ? a : a.address,
    );
    if (rejected.length > 0) response += ` (rejected: ${rejected.join(', ')})`;
    const acceptedAt = new Date();
    const queueId = queueIdOf(String(info.response ?? ''));
    // Before the outbox write: a write that fails leaves the acceptance with Temporal.
    rememberAcceptance({
      outboxId: row.id,
      messageId: row.messageId,
      response,
      queueId,
      acceptedAt: acceptedAt.toISOString(),
    });
    try {
      await markAccepted(deps.pool, row.id, response, queueId, acceptedAt);
    } catch (error) {
      deps.logger.warn(
        { messageId: row.messageId, error: (error as Error)?.message ?? String(error) },
        'mail accepted by SMTP but not recorded; the next attempt records it without sending again',
      );
      throw error;
    }
    return { outboxId: row.id, status: 'accepted', response };
  };
}
