import { describe, expect, it } from '@jest/globals';
import type { DecisionPolicy } from '@caseflow/domain';
import { EVENT_VERSIONS, decide, defaultDecisionPolicy, eventIdFor, initialState, ticketIdFor } from '@caseflow/domain';
import { DAY, T0, TICKET_ID, actors, at, given, historyTo, note, open } from './gwt.js';

/** RFC 4122 version 5 (name-based, SHA-1). */
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  it('are version-5 uuids derived from the ticket and the command id', () => {
    const [event] = given([]).when(open({ commandId: 'c-42' })).thenEvents([{ type: 'TicketOpened' }]).events;
    expect(event?.id).toMatch(UUID_V5);
    expect(event?.id).toBe(eventIdFor(TICKET_ID, 'c-42', 0));
  });

  it('are the same when the same command is retried, even at another time, so a retry is recognised', () => {
    const first = given(historyTo('triaged')).when(note({ commandId: 'retry-me' })).thenEvents([{ type: 'NoteAdded' }]).events;
    const retried = given(historyTo('triaged'))
      .when(note({ commandId: 'retry-me' }), { now: at(T0, 3 * DAY) })
      .thenEvents([{ type: 'NoteAdded' }]).events;
    expect(retried[0]?.id).toBe(first[0]?.id);
  });

  it('differ between command ids', () => {
    const ids = ['a', 'b', 'a#0', 'A'].map((commandId) => given([]).when(open({ commandId })).thenEvents([{ type: 'TicketOpened' }]).events[0]?.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('differ for the same command id on another ticket, since command ids are unique per ticket only', () => {
    expect(eventIdFor('T-1', 'c', 0)).not.toBe(eventIdFor('T-2', 'c', 0));
  });

  it('eventIdFor distinguishes the index, and ticketIdFor its own namespace of names', () => {
    expect(eventIdFor('T-1', 'c', 0)).not.toBe(eventIdFor('T-1', 'c', 1));
    expect(ticketIdFor('c')).toMatch(UUID_V5);
    expect(ticketIdFor('c')).toBe(ticketIdFor('c'));
    expect(ticketIdFor('c')).not.toBe(ticketIdFor('d'));
    expect(ticketIdFor('c')).not.toBe(eventIdFor('T-1', 'c', 0));
  });
});

describe('the envelope of an event', () => {
  it('records when, who, which ticket and which command, at the current version', () => {
    const now = new Date('2025-06-01T10:30:00.000Z');
    given(historyTo('triaged'))
      .when(note({ commandId: 'n-1' }), { now })
      .thenEvents([
        {
          type: 'NoteAdded',
          version: EVENT_VERSIONS.NoteAdded,
          ticketId: 'T-1001',
          occurredAt: '2025-06-01T10:30:00.000Z',
          actor: { id: actors.agent.id, role: 'agent', tenant: 'support' },
          commandId: 'n-1',
        },
      ]);
  });

  it('occurredAt is `now` in UTC, whatever offset the caller had in mind', () => {
    const now = new Date('2025-06-01T18:30:00+08:00');
    given(historyTo('triaged')).when(note(), { now }).thenEvents([{ type: 'NoteAdded', occurredAt: '2025-06-01T10:30:00.000Z' }]);
  });

  it('records the actor without its delegations', () => {
    const [event] = given([]).when(open({ actor: actors.delegatedPartner })).thenEvents([{ type: 'TicketOpened' }]).events;
    expect(event?.actor).toEqual({ id: actors.delegatedPartner.id, role: 'partner', tenant: 'northwind' });
  });

  it('correlation and causation default to the command id', () => {
    given(historyTo('triaged'))
      .when(note({ commandId: 'n-2' }))
      .thenEvents([{ type: 'NoteAdded', correlationId: 'n-2', causationId: 'n-2' }]);
  });

  it('correlation and causation are kept when given', () => {
    given(historyTo('triaged'))
      .when(note({ commandId: 'n-3', correlationId: 'session-9', causationId: 'evt-7' }))
      .thenEvents([{ type: 'NoteAdded', commandId: 'n-3', correlationId: 'session-9', causationId: 'evt-7' }]);
  });

  it('TicketOpened pins the policy it was decided under, by id and version', () => {
    const policy: DecisionPolicy = { ...defaultDecisionPolicy, id: 'contoso-premier', version: 7 };
    given([]).when(open(), { policy }).thenEvents([{ type: 'TicketOpened', data: { policy: { id: 'contoso-premier', version: 7 } } }]);
    given([]).when(open()).thenEvents([{ type: 'TicketOpened', data: { policy: { id: 'm365-default', version: 1 } } }]);
  });

  it('TicketOpened carries the request as sent, and the link to an earlier ticket when there is one', () => {
    const command = open({ description: 'since 08:00', relatedTicketId: 'T-0999', plan: 'elevated', region: 'DE', language: 'de' });
    const [event] = given([]).when(command).thenEvents([{ type: 'TicketOpened' }]).events;
    expect(event?.data).toEqual({
      tenant: 'contoso',
      plan: 'elevated',
      region: 'DE',
      advancedAgreement: false,
      category: 'technical',
      severity: 'B',
      title: command.title,
      description: 'since 08:00',
      contact: command.contact,
      language: 'de',
      policy: { id: 'm365-default', version: 1 },
      followUpOf: 'T-0999',
    });
  });

  it('the opened ticket records who opened it and when', () => {
    const { state } = given([]).when(open({ actor: actors.agent, tenant: 'contoso' })).thenEvents([{ type: 'TicketOpened' }]).andStatus('opened');
    expect(state.ticket).toMatchObject({
      id: 'T-1001',
      openedBy: { id: actors.agent.id, role: 'agent', tenant: 'support' },
      openedAt: T0.toISOString(),
      lastEventAt: T0.toISOString(),
      escalationLevel: 0,
      reopenCount: 0,
      downgradeCount: 0,
    });
  });
});

describe('decide is a function of its inputs', () => {
  it('answers the same twice, for an acceptance and for a refusal', () => {
    const state = given(historyTo('awaitingCustomer')).state;
    const context = { now: at(T0, DAY), policy: defaultDecisionPolicy };
    for (const command of [note(), open(), note({ actor: actors.analyst })]) {
      expect(decide(state, command, context)).toEqual(decide(structuredClone(state), structuredClone(command), context));
    }
  });

  it('does not alter the command it is given', () => {
    const command = open();
    const copy = structuredClone(command);
    decide(initialState, command, { now: T0, policy: defaultDecisionPolicy });
    expect(command).toEqual(copy);
  });
});
