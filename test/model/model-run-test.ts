// The model-based test of run kinds as one vitest case on a fresh database and mail catcher, so the
// short run (npm test) and the long one (fault suite) differ only in their numbers.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../scripts/dev/mail-catcher';
import { freshDatabase, type TestDatabase } from '../support/database';
import { testClient } from '../support/temporal';
import { runModelSequences } from './model-driver';

export function modelRunTest(numRuns: number, maxCommands: number, timeoutMs: number): void {
  let db: TestDatabase;
  let mail: MailCatcher;
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    db = await freshDatabase();
    mail = await startMailCatcher({ smtpPort: 0 });
    ({ client, close } = await testClient());
  });

  afterAll(async () => {
    await close?.();
    await mail?.close();
    await db?.drop();
  });

  it(
    `run kinds agree with the reference model (${numRuns} sequences of up to ${maxCommands} steps)`,
    async () => {
      const ran = await runModelSequences({ pool: db.pool, client, mail }, { numRuns, maxCommands });
      expect(ran.sequences).toBe(numRuns);
    },
    timeoutMs,
  );
}
