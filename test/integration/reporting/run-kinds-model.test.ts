// The model-based test of run kinds, short: random sequences of ingests, clock ticks, scheduled,
// ad-hoc, forced, test-data runs, re-runs (in mail test mode too) and worker restarts on the real
// stack, each step compared with the reference model (test/model). The long run is in the fault
// suite (test/faults/run-kinds-model.test.ts); HERALD_MODEL_SEED replays a failing seed.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type MailCatcher, startMailCatcher } from '../../../scripts/dev/mail-catcher';
import { runModelSequences } from '../../model/model-driver';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { testClient } from '../../support/temporal';

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

it('run kinds agree with the reference model (8 sequences of up to 12 steps)', async () => {
  const ran = await runModelSequences({ pool: db.pool, client, mail }, { numRuns: 8, maxCommands: 12 });
  expect(ran.sequences).toBe(8);
}, 300_000);
