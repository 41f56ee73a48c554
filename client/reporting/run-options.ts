// `herald run` options → a validated reportGroup input; every mistake is one UsageError line.
import { isReportingMode } from '../../domain/reporting/report-plan';
import { isSeverity, type Severity } from '../../domain/reporting/severities';
import { futureTimeHigh } from '../../domain/reporting/time-bounds';
import type { ForceOverrides, ReportGroupInput } from '../../workflows/report-messages';
import { UsageError } from '../errors';
import { parseTime } from '../parse-options';

export interface RunCliOptions {
  group?: string[];
  timeHigh?: string;
  severity?: string[];
  forceMode?: string;
  forceTemplate?: string;
  forceLocale?: string;
  forceTimezone?: string;
  testData?: boolean;
  mailTestMode?: boolean;
  mailTo?: string[];
  wait?: boolean;
  json?: boolean;
}

const EMAIL = /^[^\s@<>,;"\r\n]+@[^\s@<>,;"\r\n]+$/;

/** `--time-high`: a time (parseTime) no later than now plus the allowed clock skew. */
export function parseTimeHigh(value: string): string {
  const time = parseTime('--time-high', value);
  const future = futureTimeHigh(Date.parse(time), Date.now());
  if (future) throw new UsageError(`--time-high: ${future}`);
  return time;
}

export function runInput(group: string, o: RunCliOptions): ReportGroupInput {
  const severities = o.severity?.map((s) => {
    if (!isSeverity(s))
      throw new UsageError(`--severity: expected one of info, low, medium, high, critical, got "${s}"`);
    return s as Severity;
  });
  if (o.forceMode !== undefined && !isReportingMode(o.forceMode))
    throw new UsageError(`--force-mode: expected one of summary, extra, both, none, got "${o.forceMode}"`);
  if (o.forceTimezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: o.forceTimezone });
    } catch {
      throw new UsageError(
        `--force-timezone: "${o.forceTimezone}" is not an IANA time zone (e.g. Europe/Prague)`,
      );
    }
  }
  if (o.forceLocale !== undefined && !/^[a-z]{2}([_-][A-Za-z]{2})?$/.test(o.forceLocale))
    throw new UsageError(`--force-locale: expected a locale such as en or cs, got "${o.forceLocale}"`);
  for (const address of o.mailTo ?? [])
    if (!EMAIL.test(address)) throw new UsageError(`--mail-to: "${address}" is not an e-mail address`);
  if (o.mailTo?.length && !o.mailTestMode) throw new UsageError('--mail-to needs --mail-test-mode');
  const force: ForceOverrides = {};
  if (o.forceMode) force.mode = o.forceMode as ForceOverrides['mode'];
  if (o.forceTemplate) force.template = o.forceTemplate;
  if (o.forceLocale) force.locale = o.forceLocale;
  if (o.forceTimezone) force.timezone = o.forceTimezone;
  if (o.testData) force.testData = true;
  if (o.mailTestMode) force.mailTestMode = true;
  if (o.mailTo?.length) force.mailTo = o.mailTo;
  return {
    group,
    runKind: 'adhoc',
    ...(o.timeHigh ? { timeHigh: parseTimeHigh(o.timeHigh) } : {}),
    ...(severities ? { severities } : {}),
    ...(Object.keys(force).length > 0 ? { force } : {}),
  };
}
