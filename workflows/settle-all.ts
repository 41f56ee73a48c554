// Workflow-side helper (not re-exported from workflows/index.ts: it is not a workflow).

/**
 * Awaits every promise, then rethrows the first rejection. Unlike Promise.all, nothing is left
 * running when it throws: on cancellation, the activities and child runs still stopping are
 * waited for before the cleanup runs or the workflow closes (closing would terminate children).
 */
export async function settleAll(promises: Promise<unknown>[]): Promise<void> {
  const settled = await Promise.allSettled(promises);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
}
