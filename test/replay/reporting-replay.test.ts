// Recorded histories of a group run and a severity run (test/replay/histories, made by
// record-reporting-histories.ts) replay against the current workflow code, so a change that breaks
// determinism fails here before it reaches a running worker. One pair per shape a run can have
// that is still open somewhere (docs/versioning.md); the forced pair covers `force` reaching a
// run during its step.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import '../support/provided';
import { historyFromFixture } from './histories';

const histories = [
  'report-group.json',
  'report-severity.json',
  'report-group.force-during-step.json',
  'report-severity.force-during-step.json',
];

describe('reporting workflows replay', () => {
  for (const file of histories) {
    it(`replays ${file}`, async () => {
      const history = historyFromFixture(
        JSON.parse(readFileSync(path.join(import.meta.dirname, 'histories', file), 'utf8')),
      );
      const types = new Set(history.events.map((e: { eventType?: unknown }) => e.eventType));
      expect(history.events.length).toBeGreaterThan(5);
      expect(types.size).toBeGreaterThan(3);
      await expect(
        Worker.runReplayHistory(
          { workflowBundle: { codePath: inject('workflowBundlePath') } },
          history,
          file,
        ),
      ).resolves.toBeUndefined();
    }, 60_000);
  }
});
