// `herald db migrate | status`.
import type { Command } from 'commander';
import { migrateUp, migrationStatus } from '../../db/migrate';
import { databaseUrl } from '../../db/pool';
import { formatTable, printJson } from '../output';
import { registerDbCleanupCommand } from './db-cleanup';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('database schema and maintenance');
  registerDbCleanupCommand(db);
  db.command('migrate')
    .description('apply pending schema migrations')
    .option('--json', 'print the applied migrations as JSON')
    .action(async (options: { json?: boolean }) => {
      const applied = await migrateUp(
        databaseUrl(),
        (line) => options.json || process.stderr.write(`${line}\n`),
      );
      if (options.json) printJson({ applied });
      else
        process.stdout.write(
          applied.length ? `applied ${applied.length} migration(s)\n` : 'schema is up to date\n',
        );
    });
  db.command('status')
    .description('list migrations and whether they are applied')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await migrationStatus(databaseUrl());
      if (options.json)
        return printJson({ migrations: status, pending: status.filter((m) => !m.appliedAt).length });
      process.stdout.write(
        `${formatTable(
          ['migration', 'applied at'],
          status.map((m) => [m.name, m.appliedAt ?? 'pending']),
        )}\n`,
      );
    });
}
