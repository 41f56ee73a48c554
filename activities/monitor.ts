// Activities of the access-log monitor's alert mail workflow: record an alert transition
// (idempotent on source + time + state) and queue its mail in the outbox with a stable Message-ID.
// The mail itself is sent by the reporting send activity on the mail task queue, so alert mail
// shares the report mails' delivery: rate limit, 5xx final, 4xx retried, `mail retry`.

import { ApplicationFailure } from '@temporalio/common';
import {
  alertMessageId,
  failUndeliveredAlertMail,
  loadAlertForMail,
  queueAlertMail,
} from '../db/access-log/alert-outbox';
import type { AlertTransition } from '../domain/access-log/types';
import { renderAccessLogAlertMail } from '../emails/access-log-alert';
import type { ActivityDeps } from './deps';

export interface RecordAlertInput {
  source: string;
  workflowId: string;
  transition: AlertTransition;
}

export function createMonitorActivities(deps: ActivityDeps) {
  const { pool, logger, mail } = deps;
  return {
    async recordAccessLogAlert(input: RecordAlertInput): Promise<{ alertId: number }> {
      const t = input.transition;
      const { rows } = await pool.query<{ id: number }>(
        `WITH inserted AS (
           INSERT INTO alerts (source, state, at, hits, average, rule, threshold, window_seconds, workflow_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT ON CONSTRAINT alerts_transition_unique DO NOTHING
           RETURNING id)
         SELECT id FROM inserted
         UNION ALL
         SELECT id FROM alerts WHERE source = $1 AND at = $3 AND state = $2
         LIMIT 1`,
        [input.source, t.state, t.at, t.hits, t.average, t.rule, t.threshold, t.window, input.workflowId],
      );
      const alertId = Number(rows[0]!.id);
      logger.info({ source: input.source, alertId, state: t.state, at: t.at }, 'access-log alert recorded');
      return { alertId };
    },

    /** The alert's outbox row (null: the source has no recipients, nothing to send). */
    async queueAccessLogAlertMail(input: { alertId: number }): Promise<{ outboxId: number | null }> {
      const alert = await loadAlertForMail(pool, input.alertId);
      if (!alert)
        throw ApplicationFailure.nonRetryable(`alert ${input.alertId} does not exist`, 'AlertMissing');
      if (alert.recipients.length === 0) return { outboxId: null };
      const content = renderAccessLogAlertMail(alert);
      const outboxId = await queueAlertMail(pool, {
        alertId: alert.id,
        messageId: alertMessageId(alert.id, mail.domain),
        to: alert.recipients,
        subject: content.subject,
        text: content.text,
        html: content.html,
        headers: { 'X-Herald-Monitor-Source': alert.source, 'X-Herald-Alert-State': alert.state },
      });
      return { outboxId };
    },

    async failUndeliveredAlertMail(input: { outboxId: number }): Promise<void> {
      await failUndeliveredAlertMail(pool, input.outboxId);
    },
  };
}
