// `herald dev up | down | status`: the local stack for development and the quick start.
import type { Command } from 'commander';
import { type ComponentStatus, devDown, devStatus, devUp } from '../../scripts/dev/stack';
import { launchEnv } from '../launch-env';
import { formatTable, paint, printJson } from '../output';

function printStatus(components: ComponentStatus[]): void {
  const state = (s: ComponentStatus['state']) =>
    paint(s === 'stopped' ? 'red' : s === 'running' ? 'green' : 'cyan', s);
  process.stdout.write(
    `${formatTable(
      ['component', 'state', 'url', 'pid'],
      components.map((c) => [c.name, state(c.state), c.url ?? '', c.pid === null ? '' : String(c.pid)]),
    )}\n`,
  );
}

export function registerDevCommands(program: Command): void {
  const dev = program
    .command('dev')
    .description('the local stack: Temporal dev server, PostgreSQL, Mailpit, worker');
  dev
    .command('up')
    .description(
      'start what is not running yet (idempotent); honours TEMPORAL_ADDRESS, HERALD_DATABASE_URL, HERALD_SMTP_URL',
    )
    .option('--no-worker', 'do not start a worker')
    .option('--json', 'print the components as JSON')
    .action(async (options: { worker: boolean; json?: boolean }) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const components = await devUp(launchEnv, { worker: options.worker, log });
      if (options.json) return printJson({ components });
      printStatus(components);
      process.stdout.write(`\nEnvironment written to .herald/dev.env; logs in .herald/logs/.\n`);
    });
  dev
    .command('down')
    .description('stop the local stack (data is kept under .herald/)')
    .action(async () => {
      await devDown((line) => process.stderr.write(`${line}\n`));
    });
  dev
    .command('status')
    .description('state and URL of each component')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const components = await devStatus(launchEnv);
      if (options.json) return printJson({ components });
      printStatus(components);
    });
}
