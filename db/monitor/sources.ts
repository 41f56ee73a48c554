// monitor_sources: who is mailed the alerts of a log source (`herald monitor config --recipients`).
import type pg from 'pg';

export async function setMonitorRecipients(
  pool: pg.Pool,
  source: string,
  recipients: string[],
): Promise<void> {
  await pool.query(
    `INSERT INTO monitor_sources (source, recipients) VALUES ($1, $2)
     ON CONFLICT (source) DO UPDATE SET recipients = EXCLUDED.recipients, updated_at = now()`,
    [source, recipients],
  );
}
