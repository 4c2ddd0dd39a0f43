/**
 * The compact form the facts tables hold: any facts ticketFacts can make (stays that follow one
 * another) come back equal, with their keys in the same order, so that exports stay byte-identical.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { TicketFacts } from '@caseflow/analytics';
import { LIFECYCLE_STATES } from '@caseflow/domain';
import { decodeFacts, encodeFacts } from '../src/facts-codec.js';

const instant = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
const severity = fc.constantFrom('A', 'B', 'C' as const);

const factsArb: fc.Arbitrary<TicketFacts> = fc
  .record({
    ticketId: fc.uuid(),
    tenant: fc.string({ minLength: 1 }),
    plan: fc.constantFrom('business', 'enterprise' as const),
    region: fc.constantFrom('US', 'JP', 'AU'),
    category: fc.constantFrom('technical', 'billing' as const),
    severity,
    openedAt: instant,
    lastEventAt: instant,
    policy: fc.record({ id: fc.string({ minLength: 1 }), version: fc.nat() }),
    followUpOf: fc.option(fc.uuid(), { nil: undefined }),
    initialResponse: fc.record({
      outcome: fc.constantFrom('met', 'breached', 'no-commitment', 'pending', 'stopped' as const),
      businessMs: fc.option(fc.nat(), { nil: null }),
      respondedAt: fc.option(instant, { nil: null }),
      dueAt: fc.option(instant, { nil: null }),
      running: fc.boolean(),
    }),
    awaitingCustomerMs: fc.nat(),
    downgrades: fc.nat(5),
    reopens: fc.nat(5),
    escalations: fc.dictionary(fc.constantFrom('1', '2', '3'), fc.integer({ min: 1, max: 4 })),
    closedAt: fc.array(instant, { maxLength: 3 }),
    reopenedAt: fc.array(instant, { maxLength: 3 }),
    stays: fc.array(fc.record({ state: fc.constantFrom(...LIFECYCLE_STATES), severity, from: instant }), { minLength: 1, maxLength: 12 }),
    lastStayTo: fc.option(instant, { nil: null }),
  })
  .map(({ followUpOf, stays, lastStayTo, ...facts }) => {
    const { ticketId, tenant, plan, region, category, openedAt, lastEventAt, policy, initialResponse, ...counts } = facts;
    // Built in ticketFacts' key order, with followUpOf present only when there is one.
    return {
      ticketId,
      tenant,
      plan,
      region,
      category,
      severity: facts.severity,
      openedAt,
      lastEventAt,
      policy,
      ...(followUpOf === undefined ? {} : { followUpOf }),
      initialResponse,
      awaitingCustomerMs: counts.awaitingCustomerMs,
      downgrades: counts.downgrades,
      reopens: counts.reopens,
      escalations: counts.escalations,
      closedAt: counts.closedAt,
      reopenedAt: counts.reopenedAt,
      stays: stays.map((stay, i) => ({ ...stay, to: stays[i + 1]?.from ?? lastStayTo })),
    };
  });

describe('encodeFacts / decodeFacts', () => {
  it('given any facts, then decoding their stored form gives them back, serialised byte for byte alike', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const stored = encodeFacts(facts);
        const decoded = decodeFacts(facts.ticketId, stored);
        expect(decoded).toEqual(facts);
        expect(JSON.stringify(decoded)).toBe(JSON.stringify(facts));
      }),
    );
  });

  it('given facts, then the stored form takes the ticket id from the row and holds no keys', () => {
    fc.assert(
      fc.property(factsArb, fc.uuid(), (facts, rowId) => {
        const stored = encodeFacts(facts);
        expect(decodeFacts(rowId, stored)).toEqual({ ...facts, ticketId: rowId });
        expect(stored).not.toMatch(/"(ticketId|tenant|stays|state|from|to)":/);
      }),
    );
  });
});
