import { describe, expect, it } from '@jest/globals';
import { openKafkaBus } from '../src/index.js';
import { describeBusContract } from './contract.js';

const brokers = process.env.CASEFLOW_KAFKA_BROKERS;

if (brokers === undefined || brokers === '') {
  console.log(
    'kafkajs bus contract suite skipped: CASEFLOW_KAFKA_BROKERS is not set. To run it, start a broker and pass its ' +
      'address: CASEFLOW_KAFKA_BROKERS=$(bash infra/kafka/start) (127.0.0.1:19092), or localhost:9092 for infra/docker-compose.yml.',
  );
  describe('kafkajs bus', () => {
    it('kafkajs bus contract suite skipped: CASEFLOW_KAFKA_BROKERS is not set', () => {
      expect(process.env.CASEFLOW_KAFKA_BROKERS ?? '').toBe('');
    });
  });
} else {
  describeBusContract('kafkajs', () => openKafkaBus({ brokers: brokers.split(','), clientId: 'caseflow-bus-tests' }));
}
