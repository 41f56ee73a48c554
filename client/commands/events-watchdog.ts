// `herald events watchdog --within 10m [--detector D]...`: one line and exit 1 when nothing (of a
// detector) was stored within the duration, for an operator's monitoring (Nagios-style checks).
import type { Command } from 'commander';
import { type WatchdogCheck, watchdogCheck } from '../../db/events/watchdog';
import { sharedPool } from '../../db/pool';
import { printJson } from '../output';
import { parseDuration } from '../parse-options';
import { withQueryErrors } from './events-query';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const describe = (check: WatchdogCheck) =>
  `${check.detector ?? 'any detector'} (last stored ${check.lastStored?.toISOString() ?? 'never'})`;

export function registerEventsWatchdogCommand(events: Command): void {
  events
    .command('watchdog')
    .description('exit 1 with one line when no event (of each detector) was stored within a duration')
    .requiredOption('--within <duration>', 'how recent the newest event must be (90s, 15m, 1h, 1d)')
    .option('--detector <name>', 'check this detector (Node.Name) on its own; repeatable', collect)
    .option('--json', 'print as JSON')
    .action(async (options: { within: string; detector?: string[]; json?: boolean }) => {
      const seconds = parseDuration('--within', options.within);
      const detectors = options.detector?.length ? options.detector : [null];
      const checks = await withQueryErrors(() =>
        Promise.all(detectors.map((detector) => watchdogCheck(sharedPool(), seconds, detector))),
      );
      const silent = checks.filter((check) => !check.ok);
      if (silent.length) process.exitCode = 1;
      if (options.json) return printJson({ ok: silent.length === 0, within: options.within, checks });
      process.stdout.write(
        silent.length
          ? `CRITICAL: no event stored within ${options.within}: ${silent.map(describe).join('; ')}\n`
          : `OK: events stored within ${options.within}: ${checks.map(describe).join('; ')}\n`,
      );
    });
}
