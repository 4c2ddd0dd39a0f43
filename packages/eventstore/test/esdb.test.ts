import { describe, expect, it } from '@jest/globals';
import { openEsdbEventStore } from '../src/esdb.js';
import { describeEventStoreContract } from './contract.js';

const url = process.env.CASEFLOW_ESDB_URL;

if (url === undefined || url === '') {
  console.log(
    'EventStoreDB contract suite skipped: CASEFLOW_ESDB_URL is not set. Start infra/docker-compose.yml and set ' +
      'CASEFLOW_ESDB_URL=esdb://localhost:2113?tls=false to run it.',
  );
  describe('eventstoredb adapter', () => {
    it('EventStoreDB contract suite skipped: CASEFLOW_ESDB_URL is not set', () => {
      expect(process.env.CASEFLOW_ESDB_URL ?? '').toBe('');
    });
  });
} else {
  describeEventStoreContract('eventstoredb', () => Promise.resolve(openEsdbEventStore(url)));

  describe('eventstoredb adapter', () => {
    it('rejects a position it did not produce', async () => {
      const store = openEsdbEventStore(url);
      try {
        await expect(async () => {
          for await (const _ of store.readAll('C:1/P:1')) break;
        }).rejects.toThrow(/not an EventStoreDB position/);
        expect(() => store.subscribeToAll('12/34')).toThrow(/not an EventStoreDB position/);
      } finally {
        await store.close();
      }
    });
  });
}
