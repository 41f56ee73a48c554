// `herald`: the operator's command line. Each command group lives in client/commands/<group>.ts.
import './launch-env';
import { Command, CommanderError } from 'commander';
import { registerAlertsCommands } from './commands/alerts';
import { registerCatalogCommands } from './commands/catalog';
import { registerDbCommands } from './commands/db';
import { registerDevCommands } from './commands/dev';
import { registerEventsCommands } from './commands/events';
import { registerMonitorCommands } from './commands/monitor';
import { registerRunCommands } from './commands/run';
import { registerSchedulesCommands } from './commands/schedules';
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
  registerWorkerCommands(program);
  registerCatalogCommands(program);
  registerEventsCommands(program);
  registerMonitorCommands(program);
  registerAlertsCommands(program);
  registerRunCommands(program);
  registerSchedulesCommands(program);
  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
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
