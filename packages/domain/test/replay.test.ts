import { describe, expect, it } from '@jest/globals';
import type { CommandType } from '@caseflow/domain';
import { LIFECYCLE, LIFECYCLE_STATES, STATE_AFTER, evolve, fold, initialState, stateAt } from '@caseflow/domain';
import { DAY, EVENT_OF, HOUR, T0, at, fullLifecycle, historyTo, noteAdded, opened, reopened, triaged } from './gwt.js';

const { events, state: final } = fullLifecycle();


describe('fold', () => {
  it('equals applying evolve event by event, and the state held while deciding', () => {
    expect(fold(events)).toEqual(events.reduce(evolve, initialState));
    expect(fold(events)).toEqual(final);
    expect(final).toMatchObject({ status: 'closed', ticket: { reopenCount: 1, downgradeCount: 1, closeReason: 'auto-close' } });
  });

  it('continues from any intermediate state as if it had started from scratch', () => {
    for (let split = 0; split <= events.length; split++) {
      expect(fold(events.slice(split), fold(events.slice(0, split)))).toEqual(final);
    }
  });

  it('given a state it goes on from, leaves that state and its ticket as they were, whatever it folds onto them', () => {
    for (let split = 1; split < events.length; split++) {
      const from = fold(events.slice(0, split));
      const before = structuredClone(from);
      const after = fold(events.slice(split), from);
      expect([split, from]).toEqual([split, before]);
      expect(after.ticket).not.toBe(from.ticket);
    }
  });

  it('given a state given up to it (inPlace), folds event by event to the same states as with copies, changing that one ticket', () => {
    let state = initialState;
    for (let i = 0; i < events.length; i++) {
      const previous = state;
      state = fold(events.slice(i, i + 1), state, { inPlace: true });
      expect([i, state]).toEqual([i, fold(events.slice(0, i + 1))]);
      if (i > 0 && events[i]?.type !== 'TicketOpened') expect(state.ticket).toBe(previous.ticket);
    }
  });

  it('of nothing is the initial state', () => {
    expect(fold([])).toEqual(initialState);
  });

  it('refuses a history that does not start by opening the ticket', () => {
    expect(() => fold([triaged()])).toThrow(/precedes the ticket's TicketOpened/);
    expect(() => evolve(initialState, triaged())).toThrow(/precedes the ticket's TicketOpened/);
  });
});

describe('evolve', () => {
  it('applies facts without judging them: a recorded reopen moves even an opened ticket', () => {
    // History is what happened; a rule that changed later must not make it unreadable.
    expect(evolve(fold([opened()]), reopened()).status).toBe('reopened');
  });

  it('leaves the lifecycle state alone for in-place events', () => {
    const state = fold(historyTo('awaitingCustomer'));
    expect(evolve(state, noteAdded()).status).toBe('awaitingCustomer');
  });

  it('records the time of the last event', () => {
    expect(evolve(fold([opened()]), noteAdded({ at: at(T0, DAY) })).ticket?.lastEventAt).toBe(at(T0, DAY).toISOString());
  });

  it('moves to where the command that recorded the event leads (STATE_AFTER agrees with LIFECYCLE)', () => {
    for (const from of ['none', ...LIFECYCLE_STATES] as const) {
      for (const [command, step] of Object.entries(LIFECYCLE[from])) {
        expect([from, command, STATE_AFTER[EVENT_OF[command as CommandType]]]).toEqual([from, command, step.to]);
      }
    }
  });
});

describe('stateAt', () => {
  it('before the ticket was opened, there is no ticket', () => {
    expect(stateAt(events, at(T0, -1))).toEqual(initialState);
  });

  it('at the instant of each event, includes that event and those before it', () => {
    events.forEach((event, i) => {
      expect(stateAt(events, new Date(event.occurredAt))).toEqual(fold(events.slice(0, i + 1)));
    });
  });

  it('between two events, is the state after the earlier one', () => {
    // fullLifecycle records one event an hour.
    expect(stateAt(events, at(T0, 6 * HOUR + HOUR / 2))).toEqual(fold(events.slice(0, 7)));
    expect(stateAt(events, at(T0, 6 * HOUR + HOUR / 2)).status).toBe('awaitingCustomer');
  });

  it('after the last event, is the final state', () => {
    expect(stateAt(events, at(T0, 365 * DAY))).toEqual(final);
  });
});
