// Every list command on nothing to list says so in words (a bare table header reads as a bug), on
// an empty database and a namespace without schedules or runs; --wide is accepted in a pipe and
// changes nothing there (pipes get the full width anyway).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli';
import { freshDatabase, type TestDatabase } from '../../support/database';
import { randomTaskQueue } from '../../support/temporal';
import { cliEnv } from '../reporting/cli';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await freshDatabase();
  env = cliEnv(db.url, randomTaskQueue('empty'), mkdtempSync(path.join(tmpdir(), 'herald-empty-')));
});
afterAll(async () => {
  await db?.drop();
});

const expected: [string[], string][] = [
  [
    ['schedules', 'list', '--wide'],
    'no schedules (herald schedules sync creates one for every enabled group)',
  ],
  [['runs', 'list', '--wide'], 'no runs'],
  [['reports', 'list', '--wide'], 'no reports'],
  [['events', 'search', '--wide'], 'no events match'],
  [['alerts', 'list', '--wide'], 'no alerts recorded'],
  [['mail', 'outbox', '--wide'], 'outbox: nothing to show'],
];

describe('empty lists', () => {
  it('schedules, runs, reports, events, alerts and the outbox say so in words', async () => {
    // The commands are independent: run side by side to keep the test short.
    const results = await Promise.all(expected.map(([args]) => runCli(args, env)));
    for (const [i, r] of results.entries()) {
      const [args, words] = expected[i]!;
      expect({ args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        args,
        code: 0,
        stdout: `${words}\n`,
        stderr: '',
      });
    }
  });
});
