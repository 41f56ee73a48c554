// `herald db migrate | status | cleanup`.
import type { Command } from 'commander';
import { migrateUp, migrationStatus } from '../../db/migrate';
import { closeSharedPool, databaseUrl, sharedPool } from '../../db/pool';
import { type StorageStatus, storageStatus, type TableStatus } from '../../db/storage-status';
import { formatTable, printJson } from '../output';
import { registerDbCleanupCommand } from './db-cleanup';

const mebibytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

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
    .description(
      'migrations, tables and event partitions (rows, sizes) and the oldest and newest storage time',
    )
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await migrationStatus(databaseUrl());
      let storage: StorageStatus | null;
      try {
        storage = await storageStatus(sharedPool());
      } finally {
        await closeSharedPool();
      }
      const pending = status.filter((m) => !m.appliedAt).length;
      if (options.json) return printJson({ migrations: status, pending, storage });
      process.stdout.write(
        `${formatTable(
          ['migration', 'applied at'],
          status.map((m) => [m.name, m.appliedAt ?? 'pending']),
        )}\n`,
      );
      if (!storage) return;
      const rows = (tables: TableStatus[]) =>
        tables.map((t) => [t.name, t.rows, mebibytes(t.bytes), mebibytes(t.indexBytes)]);
      const headers = (first: string) => [first, 'rows', 'size MiB', 'indexes MiB'];
      process.stdout.write(`\n${formatTable(headers('table'), rows(storage.tables))}\n`);
      process.stdout.write(`\n${formatTable(headers('events partition'), rows(storage.partitions))}\n`);
      process.stdout.write(
        `\nstorage time: oldest ${storage.oldestStorageTime?.toISOString() ?? '-'}, newest ${storage.newestStorageTime?.toISOString() ?? '-'}\n`,
      );
    });
}
