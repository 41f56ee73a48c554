// When the tailer flushes a batch into one ingest Update. A catch-up sends few large updates (the
// workflow gets bucket summaries as columns, so an update grows with its buckets and distinct
// keys, not its lines; each round trip costs about the same whatever its size); a live tail
// flushes every second anyway. Shared with bench/access-log-file.ts, which runs the tailer's path
// without Temporal.

/** Lines per ingest at most (`--batch-lines`). */
export const DEFAULT_BATCH_LINES = 200_000;
/**
 * Buckets per ingest at most: about 50 characters each in the payload (the demo log), at most
 * ≈130 with 10^5 hits and 10^12 bytes in a bucket, so ≤ 1 MB; with the keys below, an update stays
 * below Temporal's 2 MB payload limit.
 */
export const MAX_BATCH_BUCKETS = 8000;
/** Key characters per batch (BucketAggregator.keyCharCount): ≤ 768 KiB even if all JSON-escaped. */
export const MAX_BATCH_KEY_CHARS = 128 * 1024;
/**
 * Buckets per ingest at most with `--print`: each ingest then also returns every bucket it closed
 * (at most its own buckets plus those the allowed lateness held open), in the update's result.
 */
export const MAX_PRINT_BATCH_BUCKETS = 1000;
