export * from './port.js';
export { DuplicateEventIdError, SqliteEventStore, openSqliteEventStore } from './sqlite.js';
export type { ImportRecord, ImportResult, RangeReadOptions, SqliteEventStoreOptions, StoredEventRow, StreamRange, StreamsInOrderOptions } from './sqlite.js';
export { EsdbEventStore, openEsdbEventStore } from './esdb.js';
export { batchesOf } from './batches.js';
