import { describe, expect, it } from '@jest/globals';
import type { Stay } from '@caseflow/analytics';
import { statesReport } from '@caseflow/analytics';
import { HOUR, JANUARY, MINUTE, at, ticket } from './fixtures.js';

const t = '2026-01-10T10:00:00.000Z';

/** Consecutive stays of the given lengths (null: still there), starting at `t`. */
function stays(...steps: [Stay['state'], Stay['severity'], number | null][]): Stay[] {
  let from = t;
  return steps.map(([state, severity, length]) => {
    const to = length === null ? null : at(from, length);
    const stay = { state, severity, from, to };
    if (to !== null) from = to;
    return stay;
  });
}

describe('the states report', () => {
  it('gives the nearest-rank median and p90 of the completed stays per state and severity', () => {
    // Given three tickets that stayed opened 10, 20 and 30 minutes at Sev B, one of them still triaged
    const facts = [10, 20, 30].map((minutes) => ticket({ openedAt: t, stays: stays(['opened', 'B', minutes * MINUTE], ['triaged', 'B', null]) }));
    // then opened/B has three stays, and triaged none that ended, so no row
    expect(statesReport(facts, JANUARY).rows).toEqual([{ state: 'opened', severity: 'B', stays: 3, medianMs: 20 * MINUTE, p90Ms: 30 * MINUTE }]);
  });

  it('orders rows by the lifecycle, then severity, whatever order the tickets come in', () => {
    const facts = [
      ticket({ openedAt: t, stays: stays(['opened', 'C', HOUR], ['triaged', 'C', HOUR], ['resolved', 'C', HOUR], ['closed', 'C', null]) }),
      ticket({ openedAt: t, stays: stays(['opened', 'A', HOUR], ['triaged', 'A', 2 * HOUR], ['awaitingCustomer', 'A', HOUR], ['downgraded', 'B', HOUR], ['triaged', 'B', null]) }),
    ];
    const order = statesReport(facts, JANUARY).rows.map((row) => `${row.state}/${row.severity}`);
    expect(order).toEqual(['opened/A', 'opened/C', 'triaged/A', 'triaged/C', 'awaitingCustomer/A', 'downgraded/B', 'resolved/C']);
    expect(statesReport([...facts].reverse(), JANUARY)).toEqual(statesReport(facts, JANUARY));
  });

  it('counts the flow between consecutive stays, also into a stay still going on, in lifecycle order', () => {
    const facts = [
      ticket({ openedAt: t, stays: stays(['opened', 'B', HOUR], ['triaged', 'B', HOUR], ['awaitingCustomer', 'B', HOUR], ['triaged', 'B', null]) }),
      ticket({ openedAt: t, stays: stays(['opened', 'B', HOUR], ['closed', 'B', null]) }),
      ticket({ openedAt: t, stays: stays(['opened', 'B', null]) }),
    ];
    expect(statesReport(facts, JANUARY).transitions).toEqual([
      { from: 'opened', to: 'triaged', count: 1 },
      { from: 'opened', to: 'closed', count: 1 },
      { from: 'triaged', to: 'awaitingCustomer', count: 1 },
      { from: 'awaitingCustomer', to: 'triaged', count: 1 },
    ]);
  });

  it('takes only the tickets opened in the window, and says which window', () => {
    const inside = ticket({ openedAt: '2026-01-01T00:00:00.000Z', stays: stays(['opened', 'B', HOUR], ['triaged', 'B', null]) });
    const outside = ticket({ openedAt: '2026-02-01T00:00:00.000Z', stays: stays(['opened', 'A', HOUR], ['triaged', 'A', null]) });
    expect(statesReport([inside, outside], JANUARY)).toEqual({
      kind: 'states',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-02-01T00:00:00.000Z',
      asOf: '2026-02-15T00:00:00.000Z',
      rows: [{ state: 'opened', severity: 'B', stays: 1, medianMs: HOUR, p90Ms: HOUR }],
      transitions: [{ from: 'opened', to: 'triaged', count: 1 }],
    });
  });

  it('refuses an empty window with a RangeError', () => {
    expect(() => statesReport([], { ...JANUARY, to: JANUARY.from })).toThrow(RangeError);
  });
});
