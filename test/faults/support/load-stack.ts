// The load tests' stack: a fresh database, the real mail catcher, a Temporal dev server of the
// test file's own, a client of it, a HERALD_HOME, and `bin/herald worker` as deployed on them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { fileNamespace } from '../../support/namespace';
import { type LoadWorker, startLoadWorker } from './load-worker';
import { ownTemporal } from './own-temporal';

export interface LoadStack {
  db: TestDatabase;
  mail: MailCatcher;
  client: Client;
  temporalAddress: string;
  home: string;
  /** Starts the worker on `taskQueue`; past `memoryLimitMiB` it stops itself. */
  startWorker(taskQueue: string, memoryLimitMiB: number): Promise<LoadWorker>;
  /** Stops what was started, whatever the test got to. */
  close(): Promise<void>;
}

export async function startLoadStack(homePrefix: string): Promise<LoadStack> {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const [db, mail] = await Promise.all([freshDatabase(), startMailCatcher({ smtpPort: 0 })]);
    closers.push(
      () => db.drop(),
      () => mail.close(),
    );
    const temporal = await ownTemporal({ namespace: fileNamespace() });
    closers.push(() => temporal.stop());
    await temporal.start();
    const connection = await Connection.connect({ address: temporal.address });
    closers.push(() => connection.close());
    const home = mkdtempSync(path.join(tmpdir(), homePrefix));
    closers.push(() => rmSync(home, { recursive: true, force: true }));
    return {
      db,
      mail,
      client: new Client({ connection, namespace: fileNamespace() }),
      temporalAddress: temporal.address,
      home,
      async startWorker(taskQueue, memoryLimitMiB) {
        const worker = await startLoadWorker({
          home,
          temporalAddress: temporal.address,
          namespace: fileNamespace(),
          databaseUrl: db.url,
          smtpUrl: mail.smtpUrl,
          taskQueue,
          bundlePath: inject('workflowBundlePath'),
          memoryLimitMiB,
        });
        closers.push(() => worker.stop());
        return worker;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
