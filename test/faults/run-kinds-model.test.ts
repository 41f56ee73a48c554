// The model-based test of run kinds, long: the same driver as the short one in `npm test`
// (test/integration/reporting/run-kinds-model.test.ts), with more and longer sequences.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../scripts/dev/mail-catcher';
import { runModelSequences } from '../model/model-driver';
import { freshDatabase, type TestDatabase } from '../support/database';
import { testClient } from '../support/temporal';

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

it('run kinds agree with the reference model (12 sequences of up to 20 steps)', async () => {
  const ran = await runModelSequences({ pool: db.pool, client, mail }, { numRuns: 12, maxCommands: 20 });
  expect(ran.sequences).toBe(12);
}, 1_500_000);
