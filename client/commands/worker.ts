// `herald worker`: run the worker; `herald worker build-bundle`: prebuild the workflow bundle.
import type { Command } from 'commander';
import { buildWorkflowBundle, defaultBundlePath } from '../../worker/bundle';
import { runWorker } from '../../worker/main';

export function registerWorkerCommands(program: Command): void {
  const worker = program
    .command('worker')
    .description('run the herald worker (all workflows and activities on HERALD_TASK_QUEUE)')
    .action(async () => {
      process.exitCode = await runWorker();
    });
  worker
    .command('build-bundle')
    .description('prebuild the workflow bundle used in production (NODE_ENV=production)')
    .option('--out <file>', 'where to write it', defaultBundlePath)
    .action(async (options: { out: string }) => {
      const file = await buildWorkflowBundle(options.out);
      process.stdout.write(`workflow bundle written to ${file}\n`);
    });
}
