import { streamOf, toStored } from '@caseflow/engine';
import type { ImportRecord, SqliteEventStore } from '@caseflow/eventstore';
import type { GenerateOptions } from './generate.js';
import { generateHistories } from './generate.js';

export interface GeneratedLog {
  tickets: number;
  events: number;
}

/** Events per import: one transaction each. */
const IMPORT_BATCH = 10_000;

/**
 * Generates a log (see generateHistories) into the store, each event recorded at the instant it
 * occurred. One transaction per 10,000 events; between them the event loop turns, so the
 * process's subscribers and timers keep up. A store that already holds some of the events (the
 * same seed written before) refuses the batch with DuplicateEventIdError.
 */
export async function writeGeneratedLog(store: SqliteEventStore, options: GenerateOptions): Promise<GeneratedLog> {
  const log: GeneratedLog = { tickets: 0, events: 0 };
  let batch: ImportRecord[] = [];
  const flush = () => {
    log.events += store.importEvents(batch, { batchSize: IMPORT_BATCH }).events;
    batch = [];
  };
  for (const event of generateHistories(options)) {
    if (event.type === 'TicketOpened') log.tickets += 1;
    batch.push({ stream: streamOf(event.ticketId), event: toStored(event), recordedAt: event.occurredAt });
    if (batch.length === IMPORT_BATCH) {
      flush();
      await new Promise((next) => setImmediate(next));
    }
  }
  if (batch.length > 0) flush();
  return log;
}
