import type { MessageToPublish } from '@caseflow/bus';
import { storedEnvelope } from '@caseflow/engine';
import type { RecordedEvent } from '@caseflow/eventstore';

/** Where caseflow's ticket events come from, as a CloudEvents `source` (a URI reference). */
export const EVENT_SOURCE = '/caseflow/tickets';

/**
 * A stored ticket event as a Kafka message in the CloudEvents Kafka binding's binary mode: the
 * attributes travel as `ce_` headers, the value is the event envelope as JSON, keyed by ticket so
 * that each ticket's events stay in order on one partition.
 */
export function toTicketMessage(record: RecordedEvent): MessageToPublish {
  const envelope = storedEnvelope(record);
  const ticketId = String(envelope.ticketId);
  return {
    key: ticketId,
    value: JSON.stringify(envelope),
    headers: {
      ce_specversion: '1.0',
      ce_id: record.id,
      ce_type: `caseflow.ticket.${record.type}.v${String(envelope.version)}`,
      ce_source: EVENT_SOURCE,
      ce_subject: ticketId,
      ce_time: String(envelope.occurredAt),
      'content-type': 'application/json',
      // Consumers drop duplicates by (ticket, revision): at-least-once delivery may repeat a message.
      caseflow_revision: record.revision.toString(),
      caseflow_position: record.position,
    },
  };
}
