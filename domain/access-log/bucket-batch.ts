// A batch's buckets as columns (types.ts BucketBatch): the tailer's aggregator writes them, the
// monitor reads them back into one object per bucket.
import { type BucketAggregate, type BucketBatch, emptyStatusCounts, type StatusCounts } from './types';

/** Status classes in the order of BucketBatch.status. */
export const STATUS_COLUMNS: readonly (keyof StatusCounts)[] = ['other', '1xx', '2xx', '3xx', '4xx', '5xx'];

export const emptyBucketBatch = (): BucketBatch => ({
  index: [],
  hits: [],
  bytes: [],
  status: [],
  top: [],
  keys: [],
});

/** One object per bucket, in ascending bucket order (status with every class). */
export function bucketsOf(batch: BucketBatch): (BucketAggregate & { status: StatusCounts })[] {
  const out: (BucketAggregate & { status: StatusCounts })[] = [];
  let bucket = 0;
  let t = 0;
  for (let i = 0; i < batch.index.length; i++) {
    bucket = i === 0 ? batch.index[0]! : bucket + batch.index[i]!;
    const status = emptyStatusCounts();
    for (let k = 0; k < STATUS_COLUMNS.length; k++) status[STATUS_COLUMNS[k]!] = batch.status[i * 6 + k]!;
    const sections: Record<string, number> = {};
    const n = batch.top[t++]!;
    for (let k = 0; k < n; k++, t += 2) sections[batch.keys[batch.top[t]!]!] = batch.top[t + 1]!;
    out.push({ bucket, hits: batch.hits[i]!, bytes: batch.bytes[i]!, status, sections });
  }
  return out;
}
