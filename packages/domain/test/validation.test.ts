import { describe, expect, it } from '@jest/globals';
import { decide, defaultDecisionPolicy, initialState } from '@caseflow/domain';
import {
  HOUR,
  T0,
  actors,
  assign,
  at,
  changeSeverity,
  escalate,
  escalated,
  given,
  historyTo,
  issuePaths,
  note,
  open,
  opened,
  reopened,
  resolve,
  triage,
  triaged,
} from './gwt.js';

/** Removes one field, for "missing field" cases the command types would not allow. */
function without(command: object, ...keys: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...command };
  for (const key of keys) delete copy[key];
  return copy;
}

describe('malformed commands are refused with the zod path of each problem', () => {
  const cases: { name: string; input: unknown; paths: (string | number)[][] }[] = [
    { name: 'missing title', input: without(open(), 'title'), paths: [['title']] },
    { name: 'blank title', input: open({ title: '   ' }), paths: [['title']] },
    { name: 'missing contact', input: without(open(), 'contact'), paths: [['contact']] },
    { name: 'missing language', input: without(open(), 'language'), paths: [['language']] },
    { name: 'missing region', input: without(open(), 'region'), paths: [['region']] },
    { name: 'missing tenant and plan', input: without(open(), 'tenant', 'plan'), paths: [['tenant'], ['plan']] },
    { name: 'lower-case region', input: open({ region: 'us' }), paths: [['region']] },
    { name: 'language that is no BCP 47 tag', input: open({ language: 'English' }), paths: [['language']] },
    { name: 'bad email', input: open({ contact: { email: 'alice-at-contoso', preferred: 'email' } }), paths: [['contact', 'email']] },
    {
      name: 'preferred phone without a phone number',
      input: open({ contact: { email: 'alice@contoso.com', preferred: 'phone' } }),
      paths: [['contact', 'preferred']],
    },
    { name: 'preferred email without an email', input: open({ contact: { phone: '+1 425 555 0100', preferred: 'email' } }), paths: [['contact', 'preferred']] },
    { name: 'bad phone number', input: open({ contact: { phone: 'call me', preferred: 'phone' } }), paths: [['contact', 'phone']] },
    // zod reports unknown keys at the object that holds them (the key itself is in the message).
    { name: 'unknown extra key on the command', input: { ...open(), priority: 'urgent' }, paths: [['priority']] },
    { name: 'unknown extra key on the actor', input: { ...open(), actor: { ...actors.customerAdmin, admin: true } }, paths: [['actor', 'admin']] },
    { name: 'unknown extra key on the contact', input: { ...open(), contact: { email: 'a@contoso.com', preferred: 'email', fax: '1' } }, paths: [['contact', 'fax']] },
    { name: 'unknown severity', input: { ...open(), severity: 'D' }, paths: [['severity']] },
    { name: 'unknown category', input: { ...open(), category: 'hardware' }, paths: [['category']] },
    { name: 'unknown plan', input: { ...open(), plan: 'free' }, paths: [['plan']] },
    { name: 'unknown role', input: { ...open(), actor: { ...actors.customerAdmin, role: 'owner' } }, paths: [['actor', 'role']] },
    { name: 'missing actor', input: without(open(), 'actor'), paths: [['actor']] },
    { name: 'empty command id', input: open({ commandId: '' }), paths: [['commandId']] },
    { name: 'ticket id with a slash', input: open({ ticketId: 'a/b' }), paths: [['ticketId']] },
    { name: 'upper-case tenant', input: open({ tenant: 'Contoso' }), paths: [['tenant']] },
    { name: 'unknown command type', input: { ...note(), type: 'delete' }, paths: [['type']] },
    { name: 'resolve without a summary', input: without(resolve(), 'text'), paths: [['text']] },
    { name: 'note of only whitespace', input: note({ text: ' \n ' }), paths: [['text']] },
    { name: 'unknown note visibility', input: { ...note(), visibility: 'secret' }, paths: [['visibility']] },
    { name: 'escalation level 0', input: escalate({ level: 0 }), paths: [['level']] },
    { name: 'escalation level 10', input: escalate({ level: 10 }), paths: [['level']] },
    { name: 'fractional escalation level', input: escalate({ level: 1.5 }), paths: [['level']] },
    { name: 'assign without an owner', input: without(assign(), 'owner'), paths: [['owner']] },
    { name: 'change-severity without a severity', input: without(changeSeverity(), 'severity'), paths: [['severity']] },
  ];

  it.each(cases)('$name', ({ input, paths }) => {
    // Against an opened ticket for every command but open, so that only the input is wrong.
    const history = (input as { type?: unknown }).type === 'open' ? [] : historyTo('triaged');
    const rejection = given(history).whenRaw(input).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual(paths);
    // Each issue is explained in the message people read.
    for (const issue of rejection.code === 'validation_failed' ? rejection.issues : []) expect(rejection.message).toContain(issue.message);
  });

  it.each([null, undefined, 'open', 42, [], {}])('input %p is refused, not thrown on', (input) => {
    given([]).whenRaw(input).thenRejected('validation_failed');
  });

  it('the defaults of the command schema are filled in', () => {
    given([])
      .when(open())
      .thenEvents([{ type: 'TicketOpened', data: { advancedAgreement: false, description: '' } }]);
    given(historyTo('triaged')).when(note()).thenEvents([{ type: 'NoteAdded', data: { visibility: 'public' } }]);
  });

  it('text is trimmed where the schema trims it', () => {
    given([]).when(open({ title: '  Outage  ' })).thenEvents([{ type: 'TicketOpened', data: { title: 'Outage' } }]);
  });
});

describe('the instant a command takes effect', () => {
  const history = [opened({}, { at: T0 }), triaged({}, { at: at(T0, HOUR) })];

  it('may not be earlier than the ticket’s last event', () => {
    const rejection = given(history).when(note(), { now: at(T0, HOUR - 1) }).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['now']]);
  });

  it('may be the same instant as the last event', () => {
    given(history).when(note(), { now: at(T0, HOUR) }).thenEvents([{ type: 'NoteAdded', occurredAt: at(T0, HOUR).toISOString() }]);
  });

  it('is checked before the lifecycle: an early command is refused for its time even where it is also invalid', () => {
    const rejection = given(history).when(open(), { now: T0 }).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['now']]);
  });

  it('must be a valid date: an invalid one is a programming error, not a refusal', () => {
    expect(() => decide(initialState, open(), { now: new Date(Number.NaN), policy: defaultDecisionPolicy })).toThrow(/valid instant/);
  });
});

describe('escalation', () => {
  it('raises the level from 0', () => {
    const { state } = given(historyTo('triaged')).when(escalate({ level: 1, clock: 'initial-response', reason: 'warning at 75 %' })).thenEvents([
      { type: 'TicketEscalated', data: { level: 1, clock: 'initial-response', reason: 'warning at 75 %' } },
    ]);
    expect(state.ticket?.escalationLevel).toBe(1);
  });

  it('may skip levels', () => {
    given([...historyTo('triaged'), escalated(1)]).when(escalate({ level: 3 })).thenEvents([{ type: 'TicketEscalated', data: { level: 3 } }]);
  });

  it.each([1, 2])('refuses level %i at level 2: it must rise', (level) => {
    const rejection = given([...historyTo('triaged'), escalated(2)]).when(escalate({ level })).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['level']]);
  });

  it('starts again from 0 after a reopen', () => {
    const history = [opened(), triaged(), escalated(3), ...historyTo('reopened').slice(2)];
    expect(given(history).state).toMatchObject({ status: 'reopened', ticket: { escalationLevel: 0 } });
    given(history).when(escalate({ level: 1 })).thenEvents([{ type: 'TicketEscalated', data: { level: 1 } }]);
  });

  it('keeps a level per SLA clock: one clock escalating does not block another', () => {
    const history = [...historyTo('triaged'), escalated(2, {}, 'initial-response')];
    const { state } = given(history)
      .when(escalate({ level: 1, clock: 'resolution' }))
      .thenEvents([{ type: 'TicketEscalated', data: { level: 1, clock: 'resolution' } }]);
    expect(state.ticket).toMatchObject({ escalationLevel: 2, clockEscalations: { 'initial-response': 2, resolution: 1 } });
    const sameClock = given(history).when(escalate({ level: 2, clock: 'initial-response' })).thenRejected('validation_failed');
    expect(sameClock.message).toMatch(/clock initial-response is already at escalation level 2/);
  });

  it('measures an escalation that names no clock against the highest level of any clock', () => {
    const history = [...historyTo('triaged'), escalated(2, {}, 'initial-response')];
    given(history).when(escalate({ level: 2 })).thenRejected('validation_failed');
    given(history).when(escalate({ level: 3 })).thenEvents([{ type: 'TicketEscalated', data: { level: 3 } }]);
  });

  it('refuses an escalation by an unauthorised actor for that, before the level', () => {
    given([...historyTo('triaged'), escalated(2)]).when(escalate({ level: 1, actor: actors.customerAdmin })).thenRejected('not_authorized');
  });
});

describe('other commands', () => {
  it('triage records owner and queue, and keeps an earlier owner when none is named', () => {
    given([opened()])
      .when(triage({ owner: 'agent-9', queue: 'exchange', text: 'Looks like a connector issue' }))
      .thenEvents([{ type: 'TicketTriaged', data: { owner: 'agent-9', queue: 'exchange', text: 'Looks like a connector issue' } }]);
    const { state } = given([opened(), triaged({ owner: 'agent-9', queue: 'exchange' }), ...historyTo('reopened').slice(2)])
      .when(triage())
      .thenEvents([{ type: 'TicketTriaged', data: { owner: 'agent-9', queue: 'exchange' } }]);
    expect(state.ticket).toMatchObject({ owner: 'agent-9', queue: 'exchange' });
  });

  it('the first triage time is kept through later triages', () => {
    const { state } = given([opened(), triaged({}, { at: at(T0, HOUR) }), reopened({ at: at(T0, 2 * HOUR) })])
      .when(triage(), { now: at(T0, 3 * HOUR) })
      .thenEvents([{ type: 'TicketTriaged' }]);
    expect(state.ticket?.triagedAt).toBe(at(T0, HOUR).toISOString());
  });

  it('assign changes the owner, and the queue only when one is named', () => {
    const { state } = given([opened(), triaged({ owner: 'agent-1', queue: 'exchange' })])
      .when(assign({ owner: 'agent-2' }))
      .thenEvents([{ type: 'TicketAssigned', data: { owner: 'agent-2' } }]);
    expect(state.ticket).toMatchObject({ owner: 'agent-2', queue: 'exchange' });
  });

  it('an internal note is recorded as internal', () => {
    given(historyTo('triaged')).when(note({ visibility: 'internal' })).thenEvents([{ type: 'NoteAdded', data: { visibility: 'internal' } }]);
  });
});

describe('the ticket a command names', () => {
  it('must be the ticket it is decided against', () => {
    const rejection = given(historyTo('triaged')).when(note({ ticketId: 'T-9999' })).thenRejected('validation_failed');
    expect(issuePaths(rejection)).toEqual([['ticketId']]);
  });
});
