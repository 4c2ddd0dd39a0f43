export { DEFAULT_START, generateHistories } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { writeGeneratedLog } from './write.js';
export type { GeneratedLog } from './write.js';
