// Tests write buckets as objects; an ingest carries them as columns (types.ts BucketBatch).
import { emptyBucketBatch, STATUS_COLUMNS } from '../../../domain/access-log/bucket-batch';
import type { BucketAggregate, BucketBatch } from '../../../domain/access-log/types';

export function bucketBatchOf(aggregates: readonly BucketAggregate[]): BucketBatch {
  const batch = emptyBucketBatch();
  let previous = 0;
  for (const agg of [...aggregates].sort((a, b) => a.bucket - b.bucket)) {
    batch.index.push(batch.index.length === 0 ? agg.bucket : agg.bucket - previous);
    previous = agg.bucket;
    batch.hits.push(agg.hits);
    batch.bytes.push(agg.bytes);
    for (const key of STATUS_COLUMNS) batch.status.push(agg.status[key] ?? 0);
    const sections = Object.entries(agg.sections).sort((a, b) => b[1] - a[1]);
    batch.top.push(sections.length);
    for (const [section, hits] of sections) {
      if (!batch.keys.includes(section)) batch.keys.push(section);
      batch.top.push(batch.keys.indexOf(section), hits);
    }
  }
  return batch;
}
