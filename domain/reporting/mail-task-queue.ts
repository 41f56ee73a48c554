// Report mails are sent by activities on their own task queue next to the workers' queue, so the
// server can rate-limit mail for all workers together (HERALD_MAIL_RATE_PER_SECOND) without
// slowing fetch, render or the workflows.

/** The task queue of the send activities of runs on `taskQueue`. */
export const mailTaskQueue = (taskQueue: string): string => `${taskQueue}-mail`;
