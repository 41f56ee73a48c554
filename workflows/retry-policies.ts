// The retry policy of herald's activities that talk to PostgreSQL: a database restart or a short
// outage is waited out (2 s, doubling to a minute, ten attempts), a longer one fails the step.
// Workflow-side code, not a workflow.
import type { RetryPolicy } from '@temporalio/common';

export const DATABASE_RETRY: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
};
