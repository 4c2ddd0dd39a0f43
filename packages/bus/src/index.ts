export * from './port.js';
export { murmur2, partitionFor } from './partitioner.js';
export { InProcessBus, openInProcessBus } from './inprocess.js';
export type { InProcessBusOptions } from './inprocess.js';
export { KafkaBus, openKafkaBus } from './kafka.js';
export type { KafkaBusOptions } from './kafka.js';
