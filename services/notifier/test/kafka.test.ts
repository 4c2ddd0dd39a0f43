import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import type { MessageToPublish } from '@caseflow/bus';
import { openKafkaBus, partitionFor } from '@caseflow/bus';
import type { RecordedEvent } from '@caseflow/eventstore';
import { EVENT_ID_HEADER, NotificationLedger } from '../src/index.js';
import type { World } from './support.js';
import { TICKET_TOPIC_PARTITIONS, address, agent, closedPort, notifierTestBed, uniqueRouting, waitFor } from './support.js';

const brokers = process.env.CASEFLOW_KAFKA_BROKERS;
/** Joining a group and a rebalance take the broker a moment; generous, so a slow machine is not a failure. */
const KAFKA_WAIT_MS = 30_000;

if (brokers === undefined || brokers === '') {
  console.log('notifier tests against Kafka skipped: CASEFLOW_KAFKA_BROKERS is not set (npm test starts a broker and sets it).');
  describe('notifier against Kafka', () => {
    it('notifier Kafka tests skipped: CASEFLOW_KAFKA_BROKERS is not set', () => {
      expect(process.env.CASEFLOW_KAFKA_BROKERS ?? '').toBe('');
    });
  });
} else {
  const bed = notifierTestBed('caseflow-notifier-kafka-');
  const { smtpConfig } = bed;

  /** A world on the real broker, with topics, a dead-letter topic and a group of its own. */
  const kafkaWorld = async (name: string): Promise<World> => {
    const bus = await openKafkaBus({ brokers: brokers.split(','), clientId: `caseflow-notifier-test-${name}` });
    return bed.world({ bus, routing: uniqueRouting(name) });
  };

  const idOf = (record: RecordedEvent | undefined) => record?.id ?? '';

  /**
   * Opens one ticket on each partition of the events topic and waits for their emails: a partition
   * is handled in order, so by then every message published before them has been handled.
   */
  const drain = async (w: World) => {
    const sentinels = new Map<number, string>();
    for (let i = 0; sentinels.size < TICKET_TOPIC_PARTITIONS; i++) {
      const ticketId = `sentinel-${i}-${randomUUID()}`;
      const partition = partitionFor(ticketId, TICKET_TOPIC_PARTITIONS);
      if (!sentinels.has(partition)) sentinels.set(partition, ticketId);
    }
    const emails = [...sentinels.values()].map((ticketId) => ({ ticketId, email: address('sentinel') }));
    for (const { ticketId, email } of emails) await w.open({ ticketId, contact: { email, preferred: 'email' } });
    await waitFor('the sentinel emails on every partition', () => emails.every(({ email }) => bed.smtp.to(email).length === 1), KAFKA_WAIT_MS);
  };

  describe('notifier against a real Kafka broker', () => {
    it('dead-letters poison messages with the original message and still delivers the event behind them on their partition', async () => {
      // Given a notifier on the broker.
      const w = await kafkaWorld('poison');
      await w.notifier({ email: smtpConfig() });
      const ticketId = randomUUID();
      const email = address('poison');

      // When the ticket's partition carries bad JSON, an event type nobody knows and bytes that are not UTF-8...
      const poison: MessageToPublish[] = [
        { key: ticketId, value: '{"id": "not json', headers: { ce_id: 'poison-1', caseflow_revision: '0', 'content-type': 'application/json' } },
        { key: ticketId, value: JSON.stringify({ id: randomUUID(), type: 'TicketExploded', version: 1, ticketId }), headers: { ce_type: 'caseflow.ticket.TicketExploded.v1' } },
        { key: ticketId, value: Buffer.from([0xff, 0xfe, 0x00, 0x80]), headers: {} },
      ];
      const placed = await w.bus.publish(w.routing.topic, poison);
      // ...followed by the ticket's TicketOpened, as the relay publishes it.
      const { records } = await w.open({ ticketId, contact: { email, preferred: 'email' } });

      // Then the customer's email arrives: the poison did not block the partition.
      const [mail] = await waitFor('the email behind the poison', () => bed.smtp.to(email).length === 1 && bed.smtp.to(email), KAFKA_WAIT_MS);
      expect(mail?.headers.get('x-caseflow-event-id')).toBe(idOf(records[0]));
      await waitFor('the delivery in the ledger', () => w.ledger.deliveries({ ticketId, status: 'delivered' }).length === 1, KAFKA_WAIT_MS);
      expect(w.ledger.deliveries({ ticketId }).map((d) => [d.template, d.status, d.attempts])).toEqual([['customer.TicketOpened', 'delivered', 1]]);

      // And each poison message is on the dead-letter topic, keyed like the original, with the original kept whole.
      await waitFor('three dead letters', () => w.deadLetters.length === 3, KAFKA_WAIT_MS);
      expect(new Set(placed.map((p) => p.partition))).toEqual(new Set([partitionFor(ticketId, TICKET_TOPIC_PARTITIONS)]));
      expect(w.deadLetters.map((l) => [l.reason, l.attempts, l.original.topic, l.original.partition, l.original.offset])).toEqual(
        placed.map((p) => ['poison', 1, w.routing.topic, p.partition, p.offset]),
      );
      w.deadLetters.forEach((letter, i) => {
        const sent = poison[i];
        expect(letter.original.key).toBe(ticketId);
        expect(letter.original.headers).toEqual(sent?.headers);
        expect(Buffer.from(letter.original.valueBase64, 'base64')).toEqual(Buffer.from(sent?.value ?? ''));
        expect(letter.error).toMatch(/^cannot decode the message: /);
      });
      expect(w.deadLetters.map((l) => l.original.value)).toEqual([poison[0]?.value, poison[1]?.value, null]);
      expect(w.deadLetters[1]?.error).toContain('unknown event type TicketExploded');
      expect(w.deadLetters[2]?.error).toContain('not UTF-8');
      for (const message of w.deadLetterMessages) {
        expect(message.key).toBe(ticketId);
        expect(message.headers).toMatchObject({ 'content-type': 'application/json', caseflow_dlq_reason: 'poison' });
        expect(message.headers.caseflow_dlq_error).toMatch(/^cannot decode the message: /);
      }
      expect(w.deadLetterMessages[0]?.headers.ce_id).toBe('poison-1');
    }, 60_000);

    it('dead-letters an email the SMTP server keeps refusing after maxAttempts with backoff, while the webhook of the same event is delivered', async () => {
      // Given an SMTP server that refuses connections and a tenant webhook that works.
      const w = await kafkaWorld('smtp-down');
      const port = await closedPort();
      const delays: number[] = [];
      await w.notifier({
        email: { kind: 'smtp', host: '127.0.0.1', port, ignoreTLS: true },
        directory: { tenants: { contoso: { webhooks: [{ url: bed.hooks.url, secret: 'whsec_contoso_0123456789' }] } } },
        maxAttempts: 3,
        backoff: { initialDelayMs: 100, maxDelayMs: 1_000 },
        sleep: (ms, signal) => {
          delays.push(ms);
          return sleep(ms, undefined, { signal });
        },
      });
      const email = address('down');
      const hooksFor = (eventId: string) => bed.hooks.requests.filter((r) => r.headers[EVENT_ID_HEADER] === eventId);

      // When a ticket is opened.
      const { ticketId, records } = await w.open({ contact: { email, preferred: 'email' } });
      const eventId = idOf(records[0]);

      // Then, after three attempts 100 and 200 ms apart, the email is dead-lettered with the error...
      const [letter] = await waitFor('the dead letter', () => w.deadLetters.length === 1 && w.deadLetters, KAFKA_WAIT_MS);
      expect(letter).toMatchObject({
        reason: 'delivery_failed',
        attempts: 3,
        notification: { eventId, ticketId, channel: 'email', recipient: email, audience: 'customer', template: 'customer.TicketOpened' },
        original: { topic: w.routing.topic, key: ticketId, headers: { ce_id: eventId, caseflow_revision: '0' } },
      });
      expect(letter?.error).toMatch(/ECONNREFUSED/);
      expect(JSON.parse(letter?.original.value ?? '{}')).toMatchObject({ id: eventId, type: 'TicketOpened' });
      expect(w.deadLetterMessages[0]).toMatchObject({ key: ticketId, headers: { caseflow_dlq_reason: 'delivery_failed', ce_id: eventId } });
      expect(w.deadLetterMessages[0]?.headers.caseflow_dlq_error).toMatch(/ECONNREFUSED/);
      expect(delays).toEqual([100, 200]);
      // ...the ledger says it is dead, and the webhook of the same event went out once.
      expect(w.ledger.delivery(eventId, email, 'email')).toMatchObject({ status: 'dead', attempts: 3, lastError: expect.stringMatching(/ECONNREFUSED/) });
      await waitFor('the webhook', () => hooksFor(eventId).length === 1, KAFKA_WAIT_MS);
      await waitFor('the webhook in the ledger', () => w.ledger.delivery(eventId, bed.hooks.url, 'webhook')?.status === 'delivered', KAFKA_WAIT_MS);
      expect(w.ledger.delivery(eventId, bed.hooks.url, 'webhook')).toMatchObject({ status: 'delivered', attempts: 1 });

      // And the partition moves on: the ticket's next event is handled the same way.
      const [triaged] = await w.act({ type: 'triage', ticketId, actor: agent('sam') });
      await waitFor('the second dead letter', () => w.deadLetters.length === 2, KAFKA_WAIT_MS);
      expect(w.deadLetters[1]?.notification).toMatchObject({ eventId: idOf(triaged), template: 'customer.TicketTriaged' });
      await waitFor('the triage webhook', () => hooksFor(idOf(triaged)).length === 1, KAFKA_WAIT_MS);
      expect(hooksFor(eventId)).toHaveLength(1);
    }, 60_000);

    it('emails every notification exactly once and in ticket order, through repeated events and a restart mid-stream', async () => {
      // Given a notifier and twenty tickets, each with its own customer.
      const w = await kafkaWorld('restart');
      const first = await w.notifier({ email: smtpConfig() });
      const tickets = Array.from({ length: 20 }, (_, i) => ({ ticketId: `restart-${i}-${randomUUID()}`, email: address(`restart-${i}`), events: [] as RecordedEvent[] }));
      const emailsToThem = () => tickets.reduce((sent, { email }) => sent + bed.smtp.to(email).length, 0);
      /** Handles the command for every ticket, then publishes all their events in one batch as the relay would. */
      const step = async (command: (ticket: { ticketId: string; email: string }) => Record<string, unknown>) => {
        const published: RecordedEvent[] = [];
        for (const ticket of tickets) {
          const records = await w.run(command(ticket));
          ticket.events.push(...records);
          published.push(...records);
        }
        await w.publish(published);
        return published;
      };

      // When the tickets are opened, the relay repeats that batch, and the tickets are triaged...
      const opened = await step(({ ticketId, email }) => ({
        type: 'open', ticketId, actor: { id: 'alice', role: 'customer-admin', tenant: 'contoso' }, tenant: 'contoso', plan: 'enterprise', region: 'US',
        category: 'technical', severity: 'B', title: 'Mail flow down', language: 'en', contact: { email, preferred: 'email' },
      }));
      await w.publish(opened);
      const triaged = await step(({ ticketId }) => ({ type: 'triage', ticketId, actor: agent('sam') }));

      // ...and the notifier is stopped while it works through them, and a new process takes over the group and ledger...
      await waitFor('the first emails', () => emailsToThem() >= 10, KAFKA_WAIT_MS);
      await first.stop();
      const sentByTheFirst = emailsToThem();
      const noted = await step(({ ticketId }) => ({ type: 'note', ticketId, actor: agent('sam'), text: `Working on ${ticketId}` }));
      w.ledger.close();
      w.ledger = new NotificationLedger(w.file);
      await w.notifier({ email: smtpConfig() });
      // ...while the relay repeats itself once more.
      await w.publish(triaged);
      await w.publish(noted);
      await drain(w);

      // Then every customer got one email per event, in the order of the ticket's events.
      expect(sentByTheFirst).toBeLessThan(tickets.length * 3);
      for (const { email, events } of tickets) {
        expect(bed.smtp.to(email).map((m) => m.headers.get('x-caseflow-event-id'))).toEqual(events.map((e) => e.id));
      }
      // And no Message-ID reached the SMTP server twice.
      const messageIds = bed.smtp.mails.map((m) => m.headers.get('message-id'));
      expect(messageIds.filter((id, i) => messageIds.indexOf(id) !== i)).toEqual([]);
      // The SMTP sink sees a message before the notifier records its delivery, so the last record may lag a moment.
      const expectedDeliveries = tickets.length * 3 + TICKET_TOPIC_PARTITIONS;
      await waitFor('every delivery in the ledger', () => w.ledger.deliveries({ status: 'delivered' }).length >= expectedDeliveries, KAFKA_WAIT_MS);
      expect(w.ledger.deliveries({ status: 'delivered' })).toHaveLength(expectedDeliveries);
      expect(w.ledger.deliveries().filter((d) => d.attempts !== 1)).toEqual([]);
      expect(w.deadLetters).toEqual([]);
    }, 90_000);
  });
}
