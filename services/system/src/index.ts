export { prepareDevMode } from './dev.js';
export type { DevSetup } from './dev.js';
export { SERVICES, startSystem } from './system.js';
export type { RunningSystem, ServiceName, SystemOptions } from './system.js';
