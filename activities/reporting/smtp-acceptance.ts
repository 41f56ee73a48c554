// The SMTP server's acceptance of a mail, kept in the send activity's heartbeat details: Temporal
// holds them for the next attempt, so an acceptance that PostgreSQL could not record (an outage
// between the 250 and the outbox write) is recorded by the retry without sending the mail again
// (docs/mail.md, "Duplicates").
//
// Throttling: the SDK sends an attempt's first heartbeat at once and holds only later ones (up to
// the throttle interval); a failing attempt flushes a held or in-flight heartbeat before its
// failure is reported. The acceptance is the only heartbeat of a sending attempt, so it is never
// held back.
import { asyncLocalStorage } from '@temporalio/activity';

export interface SmtpAcceptance {
  outboxId: number;
  messageId: string;
  /** The server's reply (with refused recipients, as recorded in `smtp_response`). */
  response: string;
  queueId: string | null;
  /** When the server accepted it (ISO 8601): recorded as `accepted_at`. */
  acceptedAt: string;
}

/**
 * Hands the acceptance to Temporal with a heartbeat. Outside an activity (the send called directly,
 * as a benchmark does) there is no attempt to come, and nothing to keep it for.
 */
export function rememberAcceptance(acceptance: SmtpAcceptance): void {
  asyncLocalStorage.getStore()?.heartbeat(acceptance);
}

/** The acceptance an earlier attempt of this activity heartbeated for this outbox row, if any. */
export function acceptanceOfEarlierAttempt(outboxId: number): SmtpAcceptance | undefined {
  const details: unknown = asyncLocalStorage.getStore()?.info.heartbeatDetails;
  if (typeof details !== 'object' || details === null) return undefined;
  const a = details as Partial<SmtpAcceptance>;
  if (
    a.outboxId !== outboxId ||
    typeof a.messageId !== 'string' ||
    typeof a.response !== 'string' ||
    typeof a.acceptedAt !== 'string' ||
    (a.queueId !== null && typeof a.queueId !== 'string')
  )
    return undefined;
  return a as SmtpAcceptance;
}
