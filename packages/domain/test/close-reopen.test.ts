import { describe, expect, it } from '@jest/globals';
import type { DecisionPolicy } from '@caseflow/domain';
import { RESOLVED_CLOSE_REASONS, UNRESOLVED_CLOSE_REASONS, defaultDecisionPolicy } from '@caseflow/domain';
import {
  DAY,
  T0,
  actors,
  at,
  close,
  closed,
  escalated,
  given,
  historyTo,
  issuePaths,
  opened,
  reopen,
  reopened,
  resolved,
  triaged,
} from './gwt.js';

const UNRESOLVED_STATES = ['opened', 'triaged', 'awaitingCustomer', 'downgraded'] as const;

describe('closing a ticket that was never resolved', () => {
  const cases = UNRESOLVED_STATES.flatMap((state) => UNRESOLVED_CLOSE_REASONS.map((reason) => ({ state, reason })));

  it.each(cases)('from $state with reason $reason', ({ state, reason }) => {
    const { state: after } = given(historyTo(state))
      .when(close({ reason, text: 'raised twice' }))
      .thenEvents([{ type: 'TicketClosed', data: { reason, text: 'raised twice' } }])
      .andStatus('closed');
    expect(after.ticket).toMatchObject({ closeReason: reason });
    // It was never resolved, and the record must not pretend it was.
    expect(after.ticket?.resolvedAt).toBeUndefined();
  });

  it.each(UNRESOLVED_STATES)('from %s without a reason is refused at the reason', (state) => {
    const rejection = given(historyTo(state)).when(close()).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['reason']]);
  });

  it.each(RESOLVED_CLOSE_REASONS)('from triaged with the resolved-only reason %s is refused at the reason', (reason) => {
    const rejection = given(historyTo('triaged')).when(close({ reason })).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['reason']]);
  });

  it('an unknown reason fails the command schema, at the reason', () => {
    const rejection = given(historyTo('triaged')).whenRaw({ ...close(), reason: 'bored' }).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['reason']]);
  });

  it('an unauthorised actor is refused for that before the missing reason', () => {
    given(historyTo('triaged')).when(close({ actor: actors.analyst })).thenRejected('not_authorized');
  });
});

describe('closing a resolved ticket', () => {
  it.each([
    ['customerAdmin', 'confirmed'],
    ['delegatedPartner', 'confirmed'],
    ['agent', 'agent-closed'],
    ['supervisor', 'agent-closed'],
    ['service', 'auto-close'],
  ] as const)('needs no reason: closed by %s, it is recorded as %s', (actorName, reason) => {
    const { state } = given(historyTo('resolved'))
      .when(close({ actor: actors[actorName] }))
      .thenEvents([{ type: 'TicketClosed', data: { reason } }])
      .andStatus('closed');
    // The resolution stays on record through the close.
    expect(state.ticket).toMatchObject({ resolution: 'fixed', closeReason: reason });
    expect(state.ticket?.resolvedAt).toBeDefined();
  });

  it.each(RESOLVED_CLOSE_REASONS)('accepts the explicit reason %s', (reason) => {
    given(historyTo('resolved')).when(close({ reason })).thenEvents([{ type: 'TicketClosed', data: { reason } }]);
  });

  it.each(UNRESOLVED_CLOSE_REASONS)('refuses the unresolved reason %s at the reason', (reason) => {
    const rejection = given(historyTo('resolved')).when(close({ reason })).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['reason']]);
  });
});

describe('reopening', () => {
  const closedAt = at(T0, 2 * DAY);
  const resolvedThenClosed = [opened(), triaged(), resolved({ at: at(T0, DAY) }), closed({}, { at: closedAt })];
  const windowEnd = at(closedAt, 14 * DAY);

  it('a resolved ticket reopens whenever the customer says it is not fixed', () => {
    given(historyTo('resolved'))
      .when(reopen({ text: 'still broken' }), { now: at(T0, 400 * DAY) })
      .thenEvents([{ type: 'TicketReopened', data: { text: 'still broken' } }])
      .andStatus('reopened');
  });

  it('a closed ticket reopens exactly at the end of its 14-day window', () => {
    given(resolvedThenClosed).when(reopen(), { now: windowEnd }).thenEvents([{ type: 'TicketReopened' }]).andStatus('reopened');
  });

  it('a closed ticket no longer reopens 1 ms after the window, and says when it ended', () => {
    const rejection = given(resolvedThenClosed).when(reopen(), { now: at(windowEnd, 1) }).thenRejected('reopen_window_expired', {
      closedAt: closedAt.toISOString(),
      windowEndedAt: windowEnd.toISOString(),
    });
    // The customer is told what to do instead.
    expect(rejection.message).toMatch(/new request/);
  });

  it('the window runs from the close event, not from the resolution', () => {
    // Resolved on day 1, closed on day 10: day 22 is 21 days after resolving but 12 after closing.
    const lateClose = [opened(), triaged(), resolved({ at: at(T0, DAY) }), closed({}, { at: at(T0, 10 * DAY) })];
    given(lateClose).when(reopen(), { now: at(T0, 22 * DAY) }).thenEvents([{ type: 'TicketReopened' }]);
    given(lateClose).when(reopen(), { now: at(T0, 24 * DAY + 1) }).thenRejected('reopen_window_expired');
  });

  it('the window runs from the latest close after an earlier reopen', () => {
    const twiceClosed = [
      ...resolvedThenClosed,
      reopened({ at: at(T0, 3 * DAY) }),
      triaged({}, { at: at(T0, 3 * DAY) }),
      resolved({ at: at(T0, 30 * DAY) }),
      closed({}, { at: at(T0, 31 * DAY) }),
    ];
    given(twiceClosed).when(reopen(), { now: at(T0, 45 * DAY) }).thenEvents([{ type: 'TicketReopened' }]);
    given(twiceClosed).when(reopen(), { now: at(T0, 45 * DAY + 1) }).thenRejected('reopen_window_expired');
  });

  it('a ticket closed without being resolved has the same window', () => {
    const cancelled = [opened(), closed({ reason: 'cancelled' }, { at: T0 })];
    given(cancelled).when(reopen(), { now: at(T0, 14 * DAY) }).thenEvents([{ type: 'TicketReopened' }]);
    given(cancelled).when(reopen(), { now: at(T0, 14 * DAY + 1) }).thenRejected('reopen_window_expired');
  });

  it('the window length is the policy’s', () => {
    const policy: DecisionPolicy = { ...defaultDecisionPolicy, reopenWindow: 'P7D' };
    given(resolvedThenClosed).when(reopen(), { now: at(closedAt, 7 * DAY), policy }).thenEvents([{ type: 'TicketReopened' }]);
    given(resolvedThenClosed).when(reopen(), { now: at(closedAt, 7 * DAY + 1), policy }).thenRejected('reopen_window_expired');
  });

  it('an outsider is refused as such even after the window', () => {
    given(resolvedThenClosed).when(reopen({ actor: actors.otherTenantAdmin }), { now: at(windowEnd, DAY) }).thenRejected('not_authorized');
  });

  it('reopening clears the close and the resolution, counts the reopen and restarts escalation', () => {
    const escalatedThenClosed = [opened(), triaged(), escalated(2), resolved({ at: at(T0, DAY) }), closed({}, { at: closedAt })];
    expect(given(escalatedThenClosed).state.ticket?.escalationLevel).toBe(2);
    const { state } = given(escalatedThenClosed).when(reopen()).thenEvents([{ type: 'TicketReopened' }]);
    expect(state.ticket).toMatchObject({ reopenCount: 1, escalationLevel: 0 });
    // A ticket keeps every field (see copyTicket): a cleared one is undefined, and JSON leaves it out.
    const cleared = { closedAt: undefined, closeReason: undefined, resolvedAt: undefined, resolution: undefined };
    expect(given(escalatedThenClosed).state.ticket).toMatchObject({ closedAt: closedAt.toISOString(), resolvedAt: at(T0, DAY).toISOString() });
    expect(state.ticket).toMatchObject(cleared);
    expect(JSON.parse(JSON.stringify(state.ticket))).not.toHaveProperty('closedAt');
  });
});
