export { breachRateChart, breachRates } from './breach-rate.js';
export type { BreachRate } from './breach-rate.js';
export { cumulativeFlowChart, stateCounts } from './cumulative-flow.js';
export type { FlowStep, StateCount } from './cumulative-flow.js';
