import { describe, expect, it } from '@jest/globals';
import { decide, defaultDecisionPolicy, initialState } from '@caseflow/domain';

describe('smoke', () => {
  it('opens', () => {
    const r = decide(initialState, { type: 'open' }, { now: new Date(), policy: defaultDecisionPolicy });
    expect(r.ok).toBe(false);
  });
});
