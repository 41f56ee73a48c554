import { describe, expect, it } from 'vitest';
import { BucketAggregator } from '../../../domain/access-log/bucket-aggregator';
import { bucketsOf } from '../../../domain/access-log/bucket-batch';
import type { ParsedLine } from '../../../domain/access-log/parsed-line';
import { emptyStatusCounts } from '../../../domain/access-log/types';

const line = (time: number, section: string | null, client: string): ParsedLine => ({
  client,
  time,
  section,
  status: 200,
  bytes: 10,
});

describe('BucketAggregator', () => {
  it('counts the characters of the keys an ingest carries (each section twice, each client once) and resets on drain', () => {
    const aggregator = new BucketAggregator(10);
    aggregator.add(line(100, '/a', '10.0.0.1'));
    aggregator.add(line(101, '/a', '10.0.0.1')); // same bucket, same keys: nothing new
    expect(aggregator.keyCharCount).toBe(2 * '/a'.length + '10.0.0.1'.length);
    aggregator.add(line(100, '/longer', '10.0.0.2'));
    aggregator.add(line(120, '/a', '10.0.0.1')); // another bucket: the section is in the batch already
    aggregator.add(line(120, null, '10.0.0.1'));
    expect(aggregator.keyCharCount).toBe(2 * 2 + 8 + 2 * 7 + 8);

    const batch = aggregator.drain();
    expect(batch.lines).toBe(5);
    const buckets = bucketsOf(batch.buckets);
    expect(buckets.map((b) => [b.bucket, b.hits])).toEqual([
      [10, 3],
      [12, 2],
    ]);
    // The batch's exact counts, over all its buckets (the heavy hitters' input).
    expect(batch.sections).toEqual({ '/a': 3, '/longer': 1 });
    expect(batch.clients).toEqual({ '10.0.0.1': 4, '10.0.0.2': 1 });
    expect(buckets[0]!.status).toEqual({ ...emptyStatusCounts(), '2xx': 3 });
    expect(aggregator.keyCharCount).toBe(0);
  });
});
