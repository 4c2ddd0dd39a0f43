import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { EventStoreDBClient } from '@eventstore/db-client';
import { EsdbEventStore, openEsdbEventStore } from '../src/esdb.js';
import type { RecordedEvent } from '../src/port.js';
import { describeEventStoreContract, take } from './contract.js';

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

    it('leaves system events out of readAll and subscribeToAll', async () => {
      const client = EventStoreDBClient.connectionString(url);
      const store = new EsdbEventStore(client);
      const stream = `ticket-${randomUUID()}`;
      const ours = (event: RecordedEvent) => event.stream === stream || event.stream === `$$${stream}`;
      try {
        const marker = await store.appendToStream(stream, [{ id: randomUUID(), type: 'Marked', data: {} }], 'no_stream');
        // Recorded as a $metadata event in the stream's $$-prefixed metastream.
        await client.setStreamMetadata(stream, { maxAge: 86_400 });
        const last = { id: randomUUID(), type: 'Noted', data: {} };
        await store.appendToStream(stream, [last], 0n);

        const read: string[] = [];
        for await (const event of store.readAll(marker.position)) if (ours(event)) read.push(event.id);
        expect(read).toEqual([last.id]);

        const subscription = store.subscribeToAll(marker.position);
        try {
          expect((await take(subscription[Symbol.asyncIterator](), 1, ours)).map((event) => event.id)).toEqual([last.id]);
        } finally {
          await subscription.close();
        }
      } finally {
        await store.close();
      }
    });
  });
}
