/** Hand-built facts for the report tests: only what a test is about differs from a plain, met ticket. */
import type { TicketFacts } from '@caseflow/analytics';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const JANUARY = { from: new Date('2026-01-01T00:00:00.000Z'), to: new Date('2026-02-01T00:00:00.000Z'), asOf: new Date('2026-02-15T00:00:00.000Z') };

export const at = (base: string, ms: number): string => new Date(Date.parse(base) + ms).toISOString();

let sequence = 0;

export function ticket(overrides: Partial<TicketFacts> & { openedAt: string }): TicketFacts {
  sequence += 1;
  const { openedAt } = overrides;
  return {
    ticketId: `T-${sequence}`,
    tenant: 'contoso',
    plan: 'enterprise',
    region: 'US',
    category: 'technical',
    severity: 'B',
    lastEventAt: at(openedAt, HOUR),
    policy: { id: 'm365-default', version: 1 },
    initialResponse: { outcome: 'met', businessMs: HOUR, respondedAt: at(openedAt, HOUR), dueAt: at(openedAt, DAY), running: false },
    awaitingCustomerMs: 0,
    downgrades: 0,
    reopens: 0,
    escalations: {},
    closedAt: [],
    reopenedAt: [],
    stays: [{ state: 'opened', severity: 'B', from: openedAt, to: null }],
    ...overrides,
  };
}

/** A response that came after `businessMs`, met or late as told. */
export const responded = (openedAt: string, businessMs: number, outcome: 'met' | 'breached' | 'no-commitment' = 'met'): TicketFacts['initialResponse'] => ({
  outcome,
  businessMs,
  respondedAt: at(openedAt, businessMs),
  dueAt: outcome === 'no-commitment' ? null : at(openedAt, DAY),
  running: false,
});

export const FOURTEEN_DAYS = 14 * DAY;
export const reopenWindow = (): number => FOURTEEN_DAYS;
