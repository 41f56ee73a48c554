import { describe, expect, it } from 'vitest';
import { BucketAggregator } from '../../../domain/access-log/bucket-aggregator';
import type { ParsedLine } from '../../../domain/access-log/parsed-line';

const line = (time: number, section: string | null, client: string): ParsedLine => ({
  client,
  time,
  section,
  status: 200,
  bytes: 10,
});

describe('BucketAggregator', () => {
  it('counts the characters of distinct sections per bucket and clients per batch (what bounds an ingest payload) and resets on drain', () => {
    const aggregator = new BucketAggregator(10);
    aggregator.add(line(100, '/a', '10.0.0.1'));
    aggregator.add(line(101, '/a', '10.0.0.1')); // same bucket, same keys: nothing new
    expect(aggregator.keyCharCount).toBe('/a'.length + '10.0.0.1'.length);
    aggregator.add(line(100, '/longer', '10.0.0.2'));
    aggregator.add(line(120, '/a', '10.0.0.1')); // another bucket carries its own copy of the section
    aggregator.add(line(120, null, '10.0.0.1'));
    expect(aggregator.keyCharCount).toBe(2 + 8 + 7 + 8 + 2);

    const batch = aggregator.drain();
    expect(batch.lines).toBe(5);
    expect(batch.buckets.map((b) => [b.bucket, b.hits])).toEqual([
      [10, 3],
      [12, 2],
    ]);
    // The batch's exact counts, over all its buckets (the heavy hitters' input).
    expect(batch.sections).toEqual({ '/a': 3, '/longer': 1 });
    expect(batch.clients).toEqual({ '10.0.0.1': 4, '10.0.0.2': 1 });
    expect(batch.buckets[0]!.status).toEqual({ '2xx': 3 });
    expect(aggregator.keyCharCount).toBe(0);
  });
});
