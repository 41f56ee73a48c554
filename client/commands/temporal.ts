// `herald temporal setup`: prepares the Temporal namespace for herald (client/operations/temporal-setup.ts).
import type { Command } from 'commander';
import { config } from '../../config/env';
import { UserError } from '../errors';
import { connectTemporal } from '../operations/temporal';
import { setupNamespace } from '../operations/temporal-setup';
import { printJson } from '../output';

export function registerTemporalCommands(program: Command): void {
  const temporal = program.command('temporal').description("herald's needs on the Temporal namespace");
  temporal
    .command('setup')
    .description(
      "register herald's search attributes on TEMPORAL_NAMESPACE (idempotent); where the operator API is refused, print the commands to run",
    )
    .option('--json', 'print the result as JSON')
    .action(async (o: { json?: boolean }) => {
      const namespace = config().TEMPORAL_NAMESPACE;
      const connection = await connectTemporal();
      let result: Awaited<ReturnType<typeof setupNamespace>>;
      try {
        result = await setupNamespace(connection.operatorService, namespace);
      } finally {
        await connection.close();
      }
      if (o.json) printJson(result);
      if (result.refused) {
        if (!o.json) {
          process.stderr.write(
            `herald: the operator API refused to register search attributes on namespace ${namespace} (${result.refused.error}); run these as an operator of the namespace:\n`,
          );
          process.stdout.write(`${result.refused.commands.join('\n')}\n`);
        }
        process.exitCode = 1;
        return;
      }
      if (result.wrongType.length) {
        const list = result.wrongType.map((w) => `${w.name} is ${w.registered}, herald needs ${w.expected}`);
        if (o.json) {
          process.exitCode = 1;
          return;
        }
        throw new UserError(
          `namespace ${namespace}: ${list.join('; ')}; remove them (temporal operator search-attribute remove --namespace ${namespace} --name NAME) and run herald temporal setup again`,
        );
      }
      if (o.json) return;
      if (result.registered.length)
        process.stdout.write(
          `namespace ${namespace}: registered ${result.registered.join(', ')} (Keyword)\n`,
        );
      else
        process.stdout.write(
          `namespace ${namespace}: nothing to do, herald's search attributes are registered (${result.present.join(', ')})\n`,
        );
    });
}
