export { EXIT_FAILURE, EXIT_OK, EXIT_REFUSED, run } from './program.js';
export type { Output } from './output.js';
