/**
 * TicketFacts built by hand: an ordinary enterprise ticket whose initial response was met, with
 * whatever a test cares about overridden.
 */
import type { Stay, TicketFacts } from '@caseflow/analytics';
import type { LifecycleState, Severity } from '@caseflow/domain';

export function ticketFacts(ticketId: string, openedAt: string, overrides: Partial<TicketFacts> = {}): TicketFacts {
  return {
    ticketId,
    tenant: 'contoso',
    plan: 'enterprise',
    region: 'US',
    category: 'technical',
    severity: 'B',
    openedAt,
    lastEventAt: openedAt,
    policy: { id: 'default', version: 1 },
    initialResponse: { outcome: 'met', businessMs: 60_000, respondedAt: openedAt, dueAt: openedAt, running: false },
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

type Response = TicketFacts['initialResponse'];

export const met: Response = { outcome: 'met', businessMs: 60_000, respondedAt: '2026-01-01T01:00:00.000Z', dueAt: '2026-01-01T02:00:00.000Z', running: false };
export const breached: Response = { outcome: 'breached', businessMs: 9_000_000, respondedAt: '2026-01-01T03:00:00.000Z', dueAt: '2026-01-01T02:00:00.000Z', running: false };

export const pending = (dueAt: string, running: boolean): Response => ({ outcome: 'pending', businessMs: null, respondedAt: null, dueAt, running });

/** Consecutive stays: each state lasts until the next one's instant; the last until the given end (null: still there). */
export function stays(severity: Severity, path: [LifecycleState, string][], end: string | null = null): Stay[] {
  return path.map(([state, from], index) => ({ state, severity, from, to: path[index + 1]?.[1] ?? end }));
}
