// Baseline for orchestration: the reporting engine's shape (a group workflow: one activity, then
// five children of six sequential activities) with activities that do nothing.
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopSeverity(): Promise<void> {
  for (let i = 0; i < 6; i++) await noop();
}

export async function noopGroup(): Promise<void> {
  await noop();
  const id = workflowInfo().workflowId;
  await Promise.all([0, 1, 2, 3, 4].map((s) => executeChild(noopSeverity, { workflowId: `${id}:${s}` })));
}
