// Activities of the access-log monitor: record an alert transition (idempotent on source + time +
// state) and mail it to the source's recipients with a stable Message-ID, so a retry never
// produces a second alert row and a re-sent mail is recognisable as the same message.

import type { AlertRow } from '../db/monitor/alerts';
import { deliverMail } from '../delivery/outgoing-mail';
import type { AlertTransition } from '../domain/access-log/types';
import { renderAccessLogAlertMail } from '../emails/access-log-alert';
import type { ActivityDeps } from './deps';

export interface RecordAlertInput {
  source: string;
  workflowId: string;
  transition: AlertTransition;
}

export const alertMessageId = (alertId: number, domain: string) => `<access-log-alert-${alertId}@${domain}>`;

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

    async mailAccessLogAlert(input: { alertId: number }): Promise<{ sent: boolean; recipients: string[] }> {
      const { rows } = await pool.query<AlertRow & { recipients: string[] | null }>(
        `SELECT a.*, s.recipients FROM alerts a LEFT JOIN monitor_sources s ON s.source = a.source WHERE a.id = $1`,
        [input.alertId],
      );
      const row = rows[0];
      if (!row) throw new Error(`alert ${input.alertId} not found`);
      const recipients = row.recipients ?? [];
      if (row.mailed_at || recipients.length === 0) return { sent: false, recipients };
      const messageId = alertMessageId(row.id, mail.domain);
      const content = renderAccessLogAlertMail({
        source: row.source,
        state: row.state,
        at: row.at.toISOString(),
        hits: row.hits,
        average: row.average,
        threshold: row.threshold,
        rule: row.rule,
        windowSeconds: row.window_seconds,
      });
      // Signed, with Reply-To and Return-Path, like every mail herald sends.
      await deliverMail(mail, {
        to: recipients,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId,
        headers: { 'X-Herald-Monitor-Source': row.source, 'X-Herald-Alert-State': row.state },
      });
      await pool.query(
        'UPDATE alerts SET mailed_at = now(), mail_message_id = $2, mailed_to = $3 WHERE id = $1',
        [row.id, messageId, recipients],
      );
      logger.info({ alertId: row.id, recipients, messageId }, 'access-log alert mailed');
      return { sent: true, recipients };
    },
  };
}
