// `herald catalog import FILE | import-ripe FILE... | export`: the reporting catalog (groups,
// networks, settings, filters, detectors, event classes, global settings) from/to a YAML or JSON
// file, and abuse groups with their networks from the RIPE database dumps.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import YAML from 'yaml';
import { exportCatalog } from '../../db/catalog/export';
import { CatalogReferenceError, importCatalog } from '../../db/catalog/upsert';
import { closeSharedPool, sharedPool } from '../../db/pool';
import { parseCatalog } from '../../domain/catalog/schema';
import { UsageError, UserError } from '../errors';
import { printJson } from '../output';
import { importRipeDumps } from '../ripe/import-ripe-dumps';
import { formatRipeImport, ripeImportJson } from '../ripe/report';

/** Reads and parses a YAML or JSON file (JSON is YAML); errors name the file and line. */
export async function readCatalogDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(
      `${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const document = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const first = document.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    throw new UserError(
      `${file}${line ? `:${line.line}:${line.col}` : ''}: not valid YAML/JSON: ${first.message.split('\n')[0]}`,
    );
  }
  try {
    return document.toJS();
  } catch (error) {
    // e.g. an alias bomb: yaml refuses to expand excessive aliases.
    throw new UserError(`${file}: not valid YAML/JSON: ${(error as Error).message}`);
  }
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('the reporting catalog: groups, networks, filters, classes');

  catalog
    .command('import')
    .description('validate a YAML/JSON catalog file and apply it in one transaction (upsert by name)')
    .argument('<file>', 'catalog file (.yaml, .yml or .json)')
    .option('--dry-run', 'only validate the file (filters and rules are compiled too); change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean; dryRun?: boolean }) => {
      const parsed = parseCatalog(await readCatalogDocument(file));
      let problems = parsed.ok ? [] : parsed.problems;
      if (parsed.ok && options.dryRun) {
        const c = parsed.catalog;
        if (options.json)
          return printJson({
            valid: true,
            file,
            groups: c.groups.length,
            eventClasses: c.event_classes.length,
          });
        process.stdout.write(
          `${file}: valid (${c.groups.length} group(s), ${c.event_classes.length} event class(es)); nothing imported\n`,
        );
        return;
      }
      if (parsed.ok) {
        try {
          const summary = await importCatalog(sharedPool(), parsed.catalog);
          if (options.json) printJson({ imported: true, file, ...summary });
          else
            process.stdout.write(
              `imported ${file}: ${summary.groups} group(s), ${summary.networks} network(s), ${summary.filters} filter(s), ` +
                `${summary.detectors} detector(s), ${summary.eventClasses} event class(es)` +
                `${summary.settings ? ', global settings' : ''}\n`,
            );
          return;
        } catch (error) {
          if (!(error instanceof CatalogReferenceError)) throw error;
          problems = error.problems;
        } finally {
          await closeSharedPool();
        }
      }
      if (options.json) printJson({ imported: false, file, problems });
      throw new UserError(
        `${file}: ${problems.length} problem(s), nothing imported\n${problems.map((p) => `${file}: ${p}`).join('\n')}`,
      );
    });

  catalog
    .command('import-ripe')
    .description(
      'abuse groups and networks from RIPE database split dumps (plain or gzip), with a diff; applied in one transaction',
    )
    .argument(
      '<file...>',
      'RPSL dumps: ripe.db.inetnum.gz, ripe.db.inet6num.gz, ripe.db.organisation.gz, ripe.db.role.gz',
    )
    .option('--dry-run', 'print what would change; change nothing')
    .option('--json', 'print the result as JSON')
    .option(
      '--country <CC>',
      'keep only ranges whose country: is CC (repeatable)',
      (value: string, list: string[] | undefined) => [...(list ?? []), value],
    )
    .action(async (files: string[], options: { json?: boolean; dryRun?: boolean; country?: string[] }) => {
      const countries = options.country ?? [];
      const bad = countries.filter((c) => !/^[A-Za-z]{2}$/.test(c));
      if (bad.length)
        throw new UsageError(
          `--country: expected a two-letter country code such as CZ, got ${bad.join(', ')}`,
        );
      const dryRun = options.dryRun ?? false;
      try {
        const { plan, diff } = await importRipeDumps(sharedPool(), files, {
          dryRun,
          countries,
        });
        if (options.json) printJson(ripeImportJson(files, plan, diff, dryRun));
        else process.stdout.write(formatRipeImport(files, plan, diff, dryRun));
      } finally {
        await closeSharedPool();
      }
    });

  catalog
    .command('export')
    .description('print the catalog in the import format (YAML by default)')
    .option('--json', 'as JSON')
    .option('--yaml', 'as YAML (default)')
    .action(async (options: { json?: boolean; yaml?: boolean }) => {
      if (options.json && options.yaml) throw new UsageError('choose one of --json and --yaml');
      try {
        const document = await exportCatalog(sharedPool());
        if (options.json) printJson(document);
        else process.stdout.write(YAML.stringify(document, { lineWidth: 0 }));
      } finally {
        await closeSharedPool();
      }
    });
}
