export type { ApiOptions } from './app.js';
export { buildApi } from './app.js';
export type { Principal } from './access.js';
export type { SystemGauges } from './metrics.js';
export { PROBLEM_STATUS, Problem } from './problem.js';
export type { ProblemBody, ProblemCode } from './problem.js';
export { ROUTE_COMMANDS } from './schemas.js';
export type { RouteCommand } from './schemas.js';
export { AdjustableClock } from './test-clock.js';
