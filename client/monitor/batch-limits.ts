// When the tailer flushes a batch into one ingest Update. A catch-up sends few large updates (the
// workflow gets bucket summaries, so an update grows with its buckets and distinct keys, not its
// lines); a live tail flushes every second anyway. Shared with bench/access-log-file.ts, which
// runs the tailer's path without Temporal.

/** Lines per ingest at most (`--batch-lines`). */
export const DEFAULT_BATCH_LINES = 100_000;
/** Buckets per ingest at most: keeps an update well below Temporal's 2 MB payload limit. */
export const MAX_BATCH_BUCKETS = 3000;
/** Distinct key characters per batch: ≤ 768 KiB even if every character is JSON-escaped. */
export const MAX_BATCH_KEY_CHARS = 128 * 1024;
/**
 * Buckets per ingest at most with `--print`: each ingest then also returns every bucket it closed
 * (at most its own buckets plus those the allowed lateness held open), in the update's result.
 */
export const MAX_PRINT_BATCH_BUCKETS = 1000;
