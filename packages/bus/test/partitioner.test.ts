import { describe, expect, it } from '@jest/globals';
import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import { murmur2, partitionFor } from '../src/index.js';

describe('partitionFor', () => {
  it("computes Kafka's murmur2 (the Java client's own test vectors)", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect([key, murmur2(Buffer.from(key))]).toEqual([key, hash]);
  });

  it("agrees with kafkajs's DefaultPartitioner for keyed messages", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7, 64]) {
      const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 1,
        replicas: [1],
        isr: [1],
      }));
      for (let i = 0; i < 500; i += 1) {
        const key = `${randomish(i)}-ticket-é北-${i}`.slice(0, i % 40);
        expect([key, partitionFor(key, partitions)]).toEqual([key, kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } })]);
      }
    }
  });

  it('always gives a partition in range', () => {
    for (let i = 0; i < 1000; i += 1) {
      const partition = partitionFor(`ticket-${i}`, 6);
      expect(partition >= 0 && partition < 6).toBe(true);
    }
  });
});

/** Different lengths and bytes for each i, and the same on every run. */
function randomish(i: number): string {
  return Buffer.from(String(i * 2654435761)).toString('base64');
}
