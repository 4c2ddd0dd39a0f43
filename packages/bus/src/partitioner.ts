/**
 * Key to partition, the way Kafka's Java client (and kafkajs's DefaultPartitioner) does it for a
 * keyed message: the positive part of the murmur2 hash of the key's bytes, modulo the partition
 * count. Both adapters use it, so a key lands in the same partition on either, and on a topic
 * that Java producers also write to.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as a signed 32-bit integer. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const whole = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data.readUInt8(whole + 2) << 16;
    if (rest >= 2) h ^= data.readUInt8(whole + 1) << 8;
    h ^= data.readUInt8(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

export function partitionFor(key: string, partitions: number): number {
  // Kafka's toPositive: drops the sign bit rather than taking the absolute value.
  return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
}
