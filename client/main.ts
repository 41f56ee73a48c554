// `herald`: the operator's command line. Each command group lives in client/commands/<group>.ts.
import './launch-env';
import { Command, CommanderError } from 'commander';
import { registerAlertsCommands } from './commands/alerts';
import { registerCancelCommands } from './commands/cancel';
import { registerCatalogCommands } from './commands/catalog';
import { registerDbCommands } from './commands/db';
import { registerDevCommands } from './commands/dev';
import { registerEventsCommands } from './commands/events';
import { registerForceCommands } from './commands/force';
import { registerHistoryCommands } from './commands/history';
import { registerMailCommands } from './commands/mail';
import { registerMonitorCommands } from './commands/monitor';
import { registerReplayCommands } from './commands/replay';
import { registerReportsCommands } from './commands/reports';
import { registerRerunCommands } from './commands/rerun';
import { registerRunCommands } from './commands/run';
import { registerRunsCommands } from './commands/runs';
import { registerSchedulesCommands } from './commands/schedules';
import { registerStatusCommands } from './commands/status';
import { registerTemporalCommands } from './commands/temporal';
import { registerThresholdsCommands } from './commands/thresholds';
import { registerWorkerCommands } from './commands/worker';
import { describeError, exitCodeFor } from './errors';

export function buildProgram(): Command {
  const program = new Command('herald')
    .description('Durable security-event reporting and access-log alerting on Temporal')
    .option('--debug', 'show stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDevCommands(program);
  registerDbCommands(program);
  registerTemporalCommands(program);
  registerWorkerCommands(program);
  registerCatalogCommands(program);
  registerEventsCommands(program);
  registerMonitorCommands(program);
  registerAlertsCommands(program);
  registerRunCommands(program);
  registerSchedulesCommands(program);
  registerReportsCommands(program);
  registerMailCommands(program);
  registerStatusCommands(program);
  registerRunsCommands(program);
  registerRerunCommands(program);
  registerThresholdsCommands(program);
  registerForceCommands(program);
  registerCancelCommands(program);
  registerReplayCommands(program);
  registerHistoryCommands(program);
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    // A command that printed its answer but has bad news (status: unreachable; replay: failures).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage mistake.
      return error.exitCode === 0 ? 0 : 2;
    }
    process.stderr.write(`herald: ${describeError(error)}\n`);
    if (program.opts().debug || argv.includes('--debug'))
      process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    return exitCodeFor(error);
  }
}
