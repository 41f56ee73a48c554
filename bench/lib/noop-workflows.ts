// Baseline for orchestration: the shape of a reporting group run over windows with no events (a
// group workflow with two activities: the group's plan, then the check that settles the quiet
// windows) with activities that do nothing.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function noopGroup(): Promise<void> {
  await noop();
  await noop();
}
