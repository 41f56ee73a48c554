// (3) Mail throughput on the reports a reporting run stored: reports rendered per second
// (emails/render-report.ts) and mails delivered per second by the send activity (outbox row →
// SMTP → recorded answer) to the in-process mail catcher, against a pooled SMTP client sending
// the same messages to the same catcher (what the sink itself can take).
import nodemailer from 'nodemailer';
import pg from 'pg';
import pino from 'pino';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/deps';
import { type ReportData, renderReport } from '../emails/render-report';
import type { MailCatcher } from '../scripts/dev/mail-catcher';
import { createMailTransport } from '../worker/mail-transport';
import type { Dataset } from './lib/dataset';
import { type Figure, perSecond, round } from './lib/figures';

const SEND_CONCURRENCY = 10; // as reportSeverity sends

interface StoredReport {
  label: string;
  type: ReportData['type'];
  severity: ReportData['severity'];
  group_name: string;
  ip: string | null;
  window_from: Date;
  window_to: Date;
  parent_label: string | null;
  evcount_rep: number;
  locale: string;
  timezone: string;
  template: string;
  structured_data: Record<string, unknown>;
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

export async function benchMail(
  ctx: { catcher: MailCatcher; log: (line: string) => void },
  ds: Dataset,
  options: { mails: number },
): Promise<Figure[]> {
  const pool = new pg.Pool({ connectionString: ds.url, max: SEND_CONCURRENCY + 2 });
  const rssAtStart = process.memoryUsage().rss;
  let rssPeak = rssAtStart;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 100);
  try {
    const reports = (
      await pool.query<StoredReport>(
        `SELECT label, type, severity, group_name, host(ip) AS ip, window_from, window_to, parent_label,
                evcount_rep, locale, timezone, template, structured_data
           FROM reports r WHERE EXISTS (SELECT 1 FROM report_outbox o WHERE o.report_id = r.id)`,
      )
    ).rows;
    const outboxIds = (await pool.query<{ id: string }>('SELECT id FROM report_outbox ORDER BY id')).rows.map(
      (r) => Number(r.id),
    );
    if (reports.length === 0 || outboxIds.length === 0)
      throw new Error('the reporting run stored no mailed report');

    // Render: every stored report again, round-robin, `mails` times.
    ctx.log(`mail: rendering ${options.mails} reports`);
    const data = reports.map(
      (r) =>
        ({
          ...r.structured_data,
          label: r.label,
          type: r.type,
          severity: r.severity,
          group: r.group_name,
          ip: r.ip,
          window: { from: r.window_from.toISOString(), to: r.window_to.toISOString() },
          testData: false,
          parentLabel: r.parent_label,
          counters: { rep: r.evcount_rep },
          regular: r.structured_data.regular ?? {},
          relapsed: r.structured_data.relapsed ?? {},
          references: {},
        }) as unknown as ReportData,
    );
    let renderedBytes = 0;
    const renderBegan = process.hrtime.bigint();
    for (let i = 0; i < options.mails; i++) {
      const r = reports[i % reports.length]!;
      const mail = await renderReport(data[i % data.length]!, r.locale, r.timezone, r.template);
      renderedBytes += mail.html.length + mail.text.length;
    }
    const renderSeconds = Number(process.hrtime.bigint() - renderBegan) / 1e9;

    // Deliver: the send activity over the outbox rows, reset to pending between rounds.
    const transport = createMailTransport(ctx.catcher.smtpUrl);
    const deps = {
      pool,
      logger: pino({ level: 'silent' }),
      mail: { transport, from: 'herald-bench@localhost', domain: 'bench.invalid' },
    } as unknown as ActivityDeps;
    const { sendReportMail } = createActivities(deps);
    ctx.catcher.clear();
    ctx.log(`mail: delivering ${options.mails} mails through the send activity`);
    let sent = 0;
    let sendSeconds = 0;
    while (sent < options.mails) {
      const ids = outboxIds.slice(0, Math.min(outboxIds.length, options.mails - sent));
      await pool.query(`UPDATE report_outbox SET status = 'pending' WHERE id = ANY($1::bigint[])`, [ids]);
      const began = process.hrtime.bigint();
      await inParallel(ids, SEND_CONCURRENCY, async (id) => {
        const result = await sendReportMail({ outboxId: id });
        if (result.status !== 'accepted') throw new Error(`outbox ${id}: ${result.status}`);
      });
      sendSeconds += Number(process.hrtime.bigint() - began) / 1e9;
      sent += ids.length;
    }
    transport.close();
    const caught = (await ctx.catcher.messages()).length;

    // Baseline: the same messages through one pooled SMTP client (10 connections, no database).
    const rows = (
      await pool.query<{ subject: string; text_body: string; html_body: string; to_addrs: string[] }>(
        'SELECT subject, text_body, html_body, to_addrs FROM report_outbox ORDER BY id',
      )
    ).rows;
    const pooled = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ctx.catcher.smtpPort,
      secure: false,
      pool: true,
      maxConnections: SEND_CONCURRENCY,
      maxMessages: Number.POSITIVE_INFINITY,
    });
    ctx.catcher.clear();
    const messages = Array.from({ length: options.mails }, (_, i) => rows[i % rows.length]!);
    const baseBegan = process.hrtime.bigint();
    await inParallel(messages, SEND_CONCURRENCY * 2, async (m) => {
      await pooled.sendMail({
        from: 'herald-bench@localhost',
        to: m.to_addrs,
        subject: m.subject,
        text: m.text_body,
        html: m.html_body,
      });
    });
    const baseSeconds = Number(process.hrtime.bigint() - baseBegan) / 1e9;
    pooled.close();
    clearInterval(sampler);
    const peak = Math.round(Math.max(rssPeak, process.memoryUsage().rss) / 2 ** 20);
    const inputs = {
      mails: options.mails,
      distinctReports: reports.length,
      fromDataset: `${ds.events} events, ${ds.groups} groups, seed ${ds.seed}`,
      sink: 'scripts/dev/mail-catcher.ts in process (parses every mail)',
    };
    return [
      {
        benchmark: 'mail',
        name: 'reports rendered per second (emails/render-report.ts, stored reports)',
        inputs: { ...inputs, avgBodyKiB: round(renderedBytes / options.mails / 1024, 1) },
        herald: {
          seconds: round(renderSeconds, 3),
          rendersPerSecond: perSecond(options.mails, renderSeconds),
        },
        baseline: {
          what: 'mails delivered per second by the send activity (below)',
          mailsPerSecond: perSecond(options.mails, sendSeconds),
        },
        ratio: {
          value: round(sendSeconds / renderSeconds, 1),
          meaning: 'rendering is this many times faster than delivery',
        },
        peakRssMiB: peak,
        notes: ['rendered and sent in the harness process; peak RSS is that process'],
      },
      {
        benchmark: 'mail',
        name: 'mails delivered per second (send activity: outbox row → SMTP → recorded answer)',
        inputs,
        herald: {
          seconds: round(sendSeconds),
          mailsPerSecond: perSecond(options.mails, sendSeconds),
          caught,
          concurrency: SEND_CONCURRENCY,
        },
        baseline: {
          what: 'nodemailer pooled transport (10 connections), same messages, no database',
          seconds: round(baseSeconds),
          mailsPerSecond: perSecond(options.mails, baseSeconds),
        },
        ratio: {
          value: round(sendSeconds / baseSeconds, 1),
          meaning: 'send-activity time / pooled-SMTP time',
        },
        peakRssMiB: peak,
      },
    ];
  } finally {
    clearInterval(sampler);
    await pool.end();
  }
}
