// Which threshold state a run reads and writes (docs/run-kinds.md): real runs share one, test-data
// runs another, and each re-run its own, so no kind of run suppresses another kind's events.
export type Realm = 'real' | 'test' | `rerun:${string}`;

export function thresholdRealm(run: { testData: boolean; rerunNonce?: string | undefined }): Realm {
  if (run.rerunNonce !== undefined) return `rerun:${run.rerunNonce}`;
  return run.testData ? 'test' : 'real';
}
