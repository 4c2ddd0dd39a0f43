export * from './port.js';
export { SqliteEventStore, openSqliteEventStore } from './sqlite.js';
export type { SqliteEventStoreOptions } from './sqlite.js';
export { EsdbEventStore, openEsdbEventStore } from './esdb.js';
export { batchesOf } from './batches.js';
