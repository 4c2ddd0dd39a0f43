/** Input checks and reporting that both adapters share, so that they refuse and report alike. */
import type { MessageToPublish, SubscribeOptions } from './port.js';

/** Kafka's own rule, applied by both adapters so that a name valid for one is valid for the other. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function checkTopicName(name: string): void {
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new TypeError(`invalid topic name ${JSON.stringify(name)}: use 1 to 249 of a-z A-Z 0-9 . _ -`);
  }
}

export function checkPartitionCount(partitions: number): void {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new TypeError(`a topic needs a whole number of partitions, at least 1, not ${partitions}`);
  }
}

export function checkMessages(messages: readonly MessageToPublish[]): void {
  for (const { key, value, headers = {} } of messages) {
    if (typeof key !== 'string') throw new TypeError(`a message key must be a string, not ${typeof key}`);
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) throw new TypeError('a message value must be a Buffer or a string');
    for (const [name, header] of Object.entries(headers)) {
      if (typeof header !== 'string') throw new TypeError(`header ${name} must be a string, not ${typeof header}`);
    }
  }
}

export function checkSubscribeOptions({ group, topics }: SubscribeOptions): void {
  if (typeof group !== 'string' || group === '') throw new TypeError('a subscription needs a group name');
  if (topics.length === 0) throw new TypeError('a subscription needs at least one topic');
  topics.forEach(checkTopicName);
}

export function reportStopped(onStopped: SubscribeOptions['onStopped'], group: string, error: Error): void {
  if (onStopped === undefined) console.error(`caseflow bus: the subscription of group ${group} stopped: ${error.message}`);
  else onStopped(error);
}
