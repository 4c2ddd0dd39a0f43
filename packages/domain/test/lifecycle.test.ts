import { describe, expect, it } from '@jest/globals';
import type { CommandInput, CommandType, LifecycleState, TicketEventType, TicketStatus } from '@caseflow/domain';
import { COMMAND_TYPES, LIFECYCLE, LIFECYCLE_STATES, allowedCommands } from '@caseflow/domain';
import {
  SAMPLE_COMMANDS,
  actors,
  assign,
  changeSeverity,
  close,
  customerReply,
  downgrade,
  escalate,
  given,
  historyTo,
  note,
  open,
  reopen,
  requestInfo,
  resolve,
  triage,
} from './gwt.js';

/**
 * The lifecycle table of DESIGN.md, written out again here rather than read from LIFECYCLE, so
 * that a change to the machine that drifts from the design fails a test.
 */
const DESIGN_ROWS: { from: TicketStatus; command: CommandInput; event: TicketEventType; to: LifecycleState }[] = [
  { from: 'none', command: open(), event: 'TicketOpened', to: 'opened' },
  { from: 'opened', command: triage(), event: 'TicketTriaged', to: 'triaged' },
  { from: 'reopened', command: triage(), event: 'TicketTriaged', to: 'triaged' },
  { from: 'triaged', command: requestInfo(), event: 'InfoRequested', to: 'awaitingCustomer' },
  { from: 'awaitingCustomer', command: customerReply(), event: 'CustomerReplied', to: 'triaged' },
  { from: 'downgraded', command: customerReply(), event: 'CustomerReplied', to: 'triaged' },
  { from: 'awaitingCustomer', command: downgrade(), event: 'TicketDowngraded', to: 'downgraded' },
  { from: 'triaged', command: resolve(), event: 'TicketResolved', to: 'resolved' },
  { from: 'awaitingCustomer', command: resolve(), event: 'TicketResolved', to: 'resolved' },
  { from: 'downgraded', command: resolve(), event: 'TicketResolved', to: 'resolved' },
  { from: 'resolved', command: close(), event: 'TicketClosed', to: 'closed' },
  { from: 'opened', command: close({ reason: 'cancelled' }), event: 'TicketClosed', to: 'closed' },
  { from: 'triaged', command: close({ reason: 'duplicate' }), event: 'TicketClosed', to: 'closed' },
  { from: 'awaitingCustomer', command: close({ reason: 'no-response' }), event: 'TicketClosed', to: 'closed' },
  { from: 'downgraded', command: close({ reason: 'out-of-scope' }), event: 'TicketClosed', to: 'closed' },
  { from: 'resolved', command: reopen(), event: 'TicketReopened', to: 'reopened' },
  { from: 'closed', command: reopen(), event: 'TicketReopened', to: 'reopened' },
];

/** "In any open state": commands that record something without moving the lifecycle. */
const OPEN_STATES: LifecycleState[] = ['opened', 'triaged', 'awaitingCustomer', 'downgraded', 'reopened'];
const IN_PLACE: { command: () => CommandInput; event: TicketEventType }[] = [
  { command: note, event: 'NoteAdded' },
  { command: assign, event: 'TicketAssigned' },
  { command: escalate, event: 'TicketEscalated' },
  { command: changeSeverity, event: 'SeverityChanged' },
];

/** Every command each state accepts, the lifecycle rows and the in-place commands together. */
const ACCEPTED: Record<TicketStatus, CommandType[]> = {
  none: ['open'],
  opened: ['triage', 'close', 'note', 'assign', 'escalate', 'change-severity'],
  triaged: ['request-info', 'resolve', 'close', 'note', 'assign', 'escalate', 'change-severity'],
  awaitingCustomer: ['customer-reply', 'downgrade', 'resolve', 'close', 'note', 'assign', 'escalate', 'change-severity'],
  downgraded: ['customer-reply', 'resolve', 'close', 'note', 'assign', 'escalate', 'change-severity'],
  // A resolved ticket is no longer worked, but either side may still comment on the resolution.
  resolved: ['close', 'reopen', 'note'],
  closed: ['reopen'],
  reopened: ['triage', 'note', 'assign', 'escalate', 'change-severity'],
};

const STATUSES: TicketStatus[] = ['none', ...LIFECYCLE_STATES];
const historyFor = (status: TicketStatus) => (status === 'none' ? [] : historyTo(status));

describe('every row of the lifecycle table', () => {
  it.each(DESIGN_ROWS)('$from --$command.type--> $to', ({ from, command, event, to }) => {
    given(historyFor(from)).when(command).thenEvents([{ type: event }]).andStatus(to);
  });

  it('is exactly the set of state-changing transitions of the machine', () => {
    const designed = DESIGN_ROWS.map((r) => `${r.from} ${r.command.type} ${r.to}`).sort();
    const machine = STATUSES.flatMap((from) =>
      Object.entries(LIFECYCLE[from]).flatMap(([command, step]) => (step.to === undefined ? [] : [`${from} ${command} ${step.to}`])),
    ).sort();
    expect(machine).toEqual(designed);
  });
});

describe('commands that keep the lifecycle state', () => {
  const cases = OPEN_STATES.flatMap((state) => IN_PLACE.map(({ command, event }) => ({ state, command: command(), event })));

  it.each(cases)('$state accepts $command.type and stays in $state', ({ state, command, event }) => {
    given(historyTo(state)).when(command).thenEvents([{ type: event }]).andStatus(state);
  });

  it('a note on a resolved ticket keeps it resolved', () => {
    given(historyTo('resolved')).when(note({ actor: actors.customerAdmin })).thenEvents([{ type: 'NoteAdded' }]).andStatus('resolved');
  });
});

describe('the commands each state accepts', () => {
  it.each(STATUSES)('%s', (status) => {
    expect([...allowedCommands(status)].sort()).toEqual([...ACCEPTED[status]].sort());
  });
});

describe('invalid transitions name the state and the commands it accepts', () => {
  const refused = STATUSES.flatMap((state) =>
    COMMAND_TYPES.filter((type) => !ACCEPTED[state].includes(type)).map((type) => ({ state, type })),
  );

  it('cover every state and command outside the table', () => {
    // 8 states x 12 commands, less the accepted pairs listed above.
    const acceptedPairs = Object.values(ACCEPTED).reduce((n, list) => n + list.length, 0);
    expect(refused).toHaveLength(STATUSES.length * COMMAND_TYPES.length - acceptedPairs);
  });

  it.each(refused)('$state refuses $type', ({ state, type }) => {
    // The sample command is valid and its actor authorised, so the state alone is the reason.
    const rejection = given(historyFor(state)).when(SAMPLE_COMMANDS[type]()).thenRejected('invalid_transition', { state, command: type });
    if (rejection.code !== 'invalid_transition') throw new Error('checked above');
    expect([...rejection.allowed].sort()).toEqual([...ACCEPTED[state]].sort());
    expect(rejection.message).toContain(state);
    for (const allowed of ACCEPTED[state]) expect(rejection.message).toContain(allowed);
  });

  it('a closed ticket cannot be closed again, nor a reopened one closed before it is worked', () => {
    given(historyTo('closed')).when(close({ reason: 'duplicate' })).thenRejected('invalid_transition', { allowed: ['reopen'] });
    given(historyTo('reopened')).when(close({ reason: 'duplicate' })).thenRejected('invalid_transition', { state: 'reopened' });
  });

  it('a second open of an existing ticket is refused', () => {
    given(historyTo('opened')).when(open()).thenRejected('invalid_transition', { state: 'opened', command: 'open' });
  });

  it('nothing but open is accepted before the ticket exists', () => {
    given([]).when(note()).thenRejected('invalid_transition', { state: 'none', allowed: ['open'] });
  });
});
