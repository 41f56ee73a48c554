// `herald monitor tail | status | configure`: the access-log monitor from the command line.
import { type Command, Option } from 'commander';
import { config } from '../../config/env';
import { setMonitorRecipients } from '../../db/monitor/sources';
import { createPool } from '../../db/pool';
import type { ConfigChange } from '../../domain/access-log/monitor-state';
import {
  type AlertRuleName,
  alertRuleNames,
  type ClosedBucketReport,
  defaultMonitorConfig,
  type LogFormat,
  logFormats,
  type MonitorConfig,
} from '../../domain/access-log/types';
import { UsageError } from '../errors';
import { DEFAULT_BATCH_LINES } from '../monitor/batch-limits';
import { formatClosedBucket, type PrintFormat } from '../monitor/closed-bucket-lines';
import { configureMonitor, connectClient, queryStatus } from '../monitor/monitor-client';
import { renderStatus } from '../monitor/render-status';
import { tailAccessLog } from '../monitor/tailer';
import { requireHeraldSearchAttributes } from '../operations/temporal';
import { colourEnabled, printJson } from '../output';
import { parsePositiveInt } from '../parse-options';

const SOURCE = /^[A-Za-z0-9._-]{1,100}$/;
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

function source(value: string): string {
  if (!SOURCE.test(value))
    throw new UsageError(`--source: expected a name of letters, digits, . _ - (got "${value}")`);
  return value;
}

function positive(option: string, integer = true) {
  return (value: string): number => {
    if (integer) return parsePositiveInt(option, value);
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0)
      throw new UsageError(`${option}: expected a number >= 0, got "${value}"`);
    return n;
  };
}

function wholeSeconds(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
      throw new UsageError(`${option}: expected a whole number of seconds >= 0, got "${value}"`);
    return n;
  };
}

function printFormat(value: boolean | string | undefined): PrintFormat | null {
  if (value === undefined || value === false) return null;
  if (value === true || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--print: expected text or json, got "${value}"`);
}

function oneOf<T extends string>(option: string, values: readonly T[]) {
  return (value: string): T => {
    if (!values.includes(value as T))
      throw new UsageError(`${option}: expected one of ${values.join(', ')}, got "${value}"`);
    return value as T;
  };
}

function recipients(value: string): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const address of list)
    if (!EMAIL.test(address)) throw new UsageError(`--recipients: "${address}" is not an e-mail address`);
  return list;
}

interface TailCliOptions {
  source: string;
  format: LogFormat;
  fromStart?: boolean;
  untilEof?: boolean;
  refresh: number;
  window: number;
  threshold: number;
  rule: AlertRuleName;
  allowedLateness: number;
  batchLines: number;
  print?: boolean | string;
  maxBatchesPerRun?: number;
  verbose?: boolean;
  json?: boolean;
}

export function registerMonitorCommands(program: Command): void {
  const monitor = program
    .command('monitor')
    .description('access-log monitoring (one workflow per log source)');

  monitor
    .command('tail')
    .description('follow an access log and feed its monitor (resumes where the monitor left off)')
    .argument('<file>', 'the access log to follow')
    .requiredOption('--source <name>', 'log source name (workflow id access-log:<name>)', source)
    .option('--format <format>', 'combined or csv', oneOf('--format', logFormats), 'combined')
    .option('--from-start', 'a new monitor reads the file from its start (default: from its end)')
    .option('--until-eof', 'process what is in the file, close the remaining buckets and exit')
    .option('--refresh <seconds>', 'bucket length', positive('--refresh'), defaultMonitorConfig.refresh)
    .option(
      '--window <seconds>',
      'alert window (multiple of --refresh)',
      positive('--window'),
      defaultMonitorConfig.window,
    )
    .option(
      '--threshold <n>',
      'hits above the average (rate: requests/s)',
      positive('--threshold', false),
      defaultMonitorConfig.threshold,
    )
    .option(
      '--rule <rule>',
      'above-average or rate',
      oneOf('--rule', alertRuleNames),
      defaultMonitorConfig.rule,
    )
    .option(
      '--allowed-lateness <seconds>',
      'keep a bucket open this long after its end for lines logged out of order',
      wholeSeconds('--allowed-lateness'),
      defaultMonitorConfig.allowedLateness,
    )
    .addOption(
      new Option('--batch-lines <n>', 'flush after at most this many lines')
        .argParser(positive('--batch-lines'))
        .default(DEFAULT_BATCH_LINES),
    )
    .option(
      '--print [format]',
      'print every closed bucket and the alerts as they happen (text, or json: the statistics object)',
    )
    .addOption(
      new Option('--max-batches-per-run <n>', 'continue as new after n batches (testing)')
        .argParser(positive('--max-batches-per-run'))
        .hideHelp(),
    )
    .option('--verbose', 'print every flush on stderr')
    .option('--json', 'print the summary as JSON (with --until-eof)')
    .action(async (file: string, options: TailCliOptions) => {
      if (options.window % options.refresh !== 0)
        throw new UsageError(
          `--window: expected a multiple of --refresh (${options.refresh}), got ${options.window}`,
        );
      const print = printFormat(options.print);
      const monitorConfig: MonitorConfig = {
        refresh: options.refresh,
        window: options.window,
        threshold: options.threshold,
        rule: options.rule,
        allowedLateness: options.allowedLateness,
      };
      const { client, close } = await connectClient();
      try {
        await requireHeraldSearchAttributes(client);
      } catch (error) {
        await close();
        throw error;
      }
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const summary = await tailAccessLog(
          {
            client,
            taskQueue: config().HERALD_TASK_QUEUE,
            source: options.source,
            config: monitorConfig,
            ...(options.maxBatchesPerRun ? { maxBatchesPerRun: options.maxBatchesPerRun } : {}),
          },
          {
            file,
            format: options.format,
            fromStart: options.fromStart === true,
            untilEof: options.untilEof === true,
            batchLines: options.batchLines,
            signal: abort.signal,
            log: (line) => process.stderr.write(`herald monitor: ${line}\n`),
            ...(print
              ? {
                  onClosed: (buckets: ClosedBucketReport[]) => {
                    for (const b of buckets) {
                      const lines = formatClosedBucket(b, print);
                      for (const line of lines.stdout) process.stdout.write(`${line}\n`);
                      for (const line of lines.stderr) process.stderr.write(`${line}\n`);
                    }
                  },
                }
              : {}),
            ...(options.verbose
              ? {
                  onFlush: ({ start, end, lines, result }) =>
                    process.stderr.write(
                      `flushed ${start}-${end} (${lines} lines); committed ${result.committedOffset}\n`,
                    ),
                }
              : {}),
          },
        );
        if (options.json) printJson({ source: options.source, ...summary });
        else
          (print ? process.stderr : process.stdout).write(
            `${options.source}: read ${summary.lines} line(s), ${summary.parseErrors} parse error(s), ${summary.batches} batch(es); committed offset ${summary.committedOffset}\n`,
          );
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        await close();
      }
    });

  monitor
    .command('status')
    .description("a monitor's buckets, window, alert state and totals")
    .requiredOption('--source <name>', 'log source name', source)
    .option('--json', 'print as JSON')
    .option('--watch', 'refresh the view every bucket until interrupted')
    .action(async (options: { source: string; json?: boolean; watch?: boolean }) => {
      const { client, close } = await connectClient();
      try {
        for (;;) {
          const status = await queryStatus(client, options.source);
          if (options.json) printJson(status);
          else {
            if (options.watch && colourEnabled()) process.stdout.write('\x1b[2J\x1b[H');
            process.stdout.write(`${renderStatus(status)}\n`);
          }
          if (!options.watch) break;
          await new Promise((resolve) => setTimeout(resolve, status.config.refresh * 1000));
        }
      } finally {
        await close();
      }
    });

  monitor
    .command('configure')
    .description("set a source's alert recipients and change a running monitor's threshold, window or rule")
    .requiredOption('--source <name>', 'log source name', source)
    .option('--recipients <addresses>', 'comma-separated e-mail addresses ("" for none)')
    .option('--threshold <n>', 'new threshold', positive('--threshold', false))
    .option('--window <seconds>', 'new window', positive('--window'))
    .option('--rule <rule>', 'above-average or rate', oneOf('--rule', alertRuleNames))
    .option(
      '--allowed-lateness <seconds>',
      'new allowed lateness (out-of-order lines)',
      wholeSeconds('--allowed-lateness'),
    )
    .option('--json', 'print the result as JSON')
    .action(
      async (options: {
        source: string;
        recipients?: string;
        threshold?: number;
        window?: number;
        rule?: AlertRuleName;
        allowedLateness?: number;
        json?: boolean;
      }) => {
        const change: ConfigChange = {
          ...(options.allowedLateness !== undefined ? { allowedLateness: options.allowedLateness } : {}),
          ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
          ...(options.window !== undefined ? { window: options.window } : {}),
          ...(options.rule !== undefined ? { rule: options.rule } : {}),
        };
        if (options.recipients === undefined && Object.keys(change).length === 0)
          throw new UsageError(
            'nothing to change: give --recipients, --threshold, --window, --rule or --allowed-lateness',
          );
        const result: { source: string; recipients?: string[]; config?: MonitorConfig } = {
          source: options.source,
        };
        if (options.recipients !== undefined) {
          const list = recipients(options.recipients);
          const pool = createPool(undefined, 1);
          try {
            await setMonitorRecipients(pool, options.source, list);
          } finally {
            await pool.end();
          }
          result.recipients = list;
        }
        if (Object.keys(change).length > 0) {
          const { client, close } = await connectClient();
          try {
            result.config = await configureMonitor(client, options.source, change);
          } finally {
            await close();
          }
        }
        if (options.json) printJson(result);
        else {
          if (result.recipients)
            process.stdout.write(
              `${options.source}: alert mail to ${result.recipients.length ? result.recipients.join(', ') : '(nobody)'}\n`,
            );
          if (result.config)
            process.stdout.write(
              `${options.source}: window ${result.config.window} s, threshold ${result.config.threshold}, rule ${result.config.rule}, allowed lateness ${result.config.allowedLateness} s\n`,
            );
        }
      },
    );
}
