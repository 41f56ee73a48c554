// A Temporal dev server of one fault test's own: in memory, or on a database file so it can be
// killed and started again on the same port. The load test uses one so its 200 scheduled runs
// never compete with other files' crash trials on the shared server (their load made its
// visibility wait time out once); the restart test, so it can kill the server it talks to.
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, waitForPort } from '../../../scripts/dev/processes';
import { ensureTemporalCli } from '../../../scripts/dev/temporal-cli';
import { devServerArgs } from '../../../scripts/dev/temporal-server';

export interface OwnTemporal {
  address: string;
  /** Starts the server (again) on its port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it with `signal` (SIGKILL: a crash) and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function ownTemporal(options: {
  namespace: string;
  extraNamespaces?: string[];
  /** Keeps the server's state across stop/start; in memory without it. */
  dbFile?: string;
}): Promise<OwnTemporal> {
  const cli = await ensureTemporalCli();
  const port = await freePort();
  let server: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      server = spawn(cli, devServerArgs({ port, ...options }), { stdio: ['ignore', 'ignore', 'ignore'] });
      await waitForPort(port, 'Temporal dev server', 60_000);
    },
    async stop(signal = 'SIGTERM') {
      const child = server;
      server = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}
