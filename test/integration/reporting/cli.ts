// The CLI as a child process against the test run's Temporal server and a test database.
import { inject } from 'vitest';
import { type CliResult, runCli } from '../../support/cli';
import '../../support/provided';
import { fileNamespace } from '../../support/namespace';

export function cliEnv(dbUrl: string, taskQueue: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: fileNamespace(),
    HERALD_DATABASE_URL: dbUrl,
    HERALD_TASK_QUEUE: taskQueue,
    HERALD_HOME: home,
    HERALD_METRICS_PORT: '0',
    NO_COLOR: '1',
  };
}

/** Runs `bin/herald args...` as a child process (the shared runner of test/support/cli.ts). */
export function herald(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(args, env);
}
