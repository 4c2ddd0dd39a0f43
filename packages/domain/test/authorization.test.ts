import { describe, expect, it } from '@jest/globals';
import type { Actor, CommandInput, LifecycleState, TicketEvent, TicketEventType } from '@caseflow/domain';
import type { ActorName } from './gwt.js';
import {
  ACTOR_NAMES,
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
  opened,
  reopen,
  requestInfo,
  resolve,
  triage,
  triaged,
} from './gwt.js';

/** Who may do what, from DESIGN.md: the ticket's tenant is contoso throughout. */
const STAFF: ActorName[] = ['agent', 'supervisor'];
const STAFF_OR_SERVICE: ActorName[] = [...STAFF, 'service'];
/** The tenant's admins and delegated partners, or an agent acting on their behalf. */
const CUSTOMER_SIDE: ActorName[] = ['customerAdmin', 'delegatedPartner', ...STAFF];
/** Everyone who works a ticket: the customer side, support staff and the workers. */
const PARTICIPANTS: ActorName[] = [...CUSTOMER_SIDE, 'service'];

interface Case {
  name: string;
  from: LifecycleState | 'none';
  command: (actor: Actor) => CommandInput;
  event: TicketEventType;
  allowed: ActorName[];
  /** The history instead of the usual way to `from`. */
  history?: TicketEvent[];
}

const CASES: Case[] = [
  { name: 'open', from: 'none', command: (actor) => open({ actor }), event: 'TicketOpened', allowed: CUSTOMER_SIDE },
  { name: 'triage', from: 'opened', command: (actor) => triage({ actor }), event: 'TicketTriaged', allowed: STAFF },
  { name: 'request-info', from: 'triaged', command: (actor) => requestInfo({ actor }), event: 'InfoRequested', allowed: STAFF },
  {
    name: 'customer-reply',
    from: 'awaitingCustomer',
    command: (actor) => customerReply({ actor }),
    event: 'CustomerReplied',
    allowed: CUSTOMER_SIDE,
  },
  { name: 'downgrade', from: 'awaitingCustomer', command: (actor) => downgrade({ actor }), event: 'TicketDowngraded', allowed: STAFF_OR_SERVICE },
  { name: 'resolve', from: 'triaged', command: (actor) => resolve({ actor }), event: 'TicketResolved', allowed: STAFF },
  {
    name: 'close an unresolved ticket',
    from: 'triaged',
    command: (actor) => close({ actor, reason: 'cancelled' }),
    event: 'TicketClosed',
    allowed: PARTICIPANTS,
  },
  { name: 'close a resolved ticket', from: 'resolved', command: (actor) => close({ actor }), event: 'TicketClosed', allowed: PARTICIPANTS },
  { name: 'reopen a resolved ticket', from: 'resolved', command: (actor) => reopen({ actor }), event: 'TicketReopened', allowed: CUSTOMER_SIDE },
  { name: 'reopen a closed ticket', from: 'closed', command: (actor) => reopen({ actor }), event: 'TicketReopened', allowed: CUSTOMER_SIDE },
  { name: 'note', from: 'triaged', command: (actor) => note({ actor }), event: 'NoteAdded', allowed: PARTICIPANTS },
  { name: 'note on a resolved ticket', from: 'resolved', command: (actor) => note({ actor }), event: 'NoteAdded', allowed: PARTICIPANTS },
  { name: 'assign an unowned ticket', from: 'opened', command: (actor) => assign({ actor }), event: 'TicketAssigned', allowed: STAFF },
  {
    name: 'reassign an owned ticket',
    from: 'triaged',
    history: [opened(), triaged({ owner: 'agent-7' })],
    command: (actor) => assign({ actor, owner: 'agent-2' }),
    event: 'TicketAssigned',
    allowed: ['supervisor'],
  },
  { name: 'escalate', from: 'triaged', command: (actor) => escalate({ actor }), event: 'TicketEscalated', allowed: STAFF_OR_SERVICE },
  {
    name: 'change-severity',
    from: 'triaged',
    command: (actor) => changeSeverity({ actor, severity: 'A' }),
    event: 'SeverityChanged',
    allowed: ['supervisor'],
  },
];

const matrix = CASES.flatMap((c) => ACTOR_NAMES.map((actorName) => ({ ...c, actorName, accepted: c.allowed.includes(actorName) })));

describe('who may send each command', () => {
  it.each(matrix)('$name by $actorName: accepted $accepted', ({ from, history, command, event, actorName, accepted }) => {
    const actor = actors[actorName];
    const when = given(history ?? (from === 'none' ? [] : historyTo(from))).when(command(actor));
    if (accepted) {
      when.thenEvents([{ type: event, actor: { id: actor.id, role: actor.role, tenant: actor.tenant } }]);
    } else {
      const rejection = when.thenRejected('not_authorized');
      // The message says who was refused, so that an operator reading a log can tell.
      expect(rejection.message).toContain(actor.id);
    }
  });

  it('every actor kind is tried for every command', () => {
    expect(new Set(matrix.map((m) => m.actorName)).size).toBe(9);
    expect(matrix.filter((m) => m.accepted).length).toBeGreaterThan(0);
    expect(matrix.filter((m) => !m.accepted).length).toBeGreaterThan(0);
  });
});

describe('opening a request', () => {
  it('a customer admin opens for its own tenant', () => {
    given([]).when(open({ actor: actors.otherTenantAdmin, tenant: 'fabrikam' })).thenEvents([{ type: 'TicketOpened', data: { tenant: 'fabrikam' } }]);
  });

  it('a customer admin may not open for another tenant', () => {
    given([]).when(open({ actor: actors.customerAdmin, tenant: 'fabrikam' })).thenRejected('not_authorized');
  });

  it('a plain user of the tenant may not open', () => {
    given([]).when(open({ actor: actors.customerUser })).thenRejected('not_authorized');
  });

  it('a partner opens for each tenant it holds a delegation for, and no other', () => {
    const partner = actors.delegatedPartner;
    given([]).when(open({ actor: partner, tenant: 'fabrikam' })).thenEvents([{ type: 'TicketOpened', data: { tenant: 'fabrikam' } }]);
    given([]).when(open({ actor: partner, tenant: 'contoso' })).thenEvents([{ type: 'TicketOpened', data: { tenant: 'contoso' } }]);
    given([]).when(open({ actor: partner, tenant: 'woodgrove' })).thenRejected('not_authorized');
  });

  it('a partner needs a delegation even for its own tenant', () => {
    given([]).when(open({ actor: { id: 'p@contoso', role: 'partner', tenant: 'contoso' }, tenant: 'contoso' })).thenRejected('not_authorized');
    given([])
      .when(open({ actor: { id: 'p@contoso', role: 'partner', tenant: 'contoso', delegations: [] }, tenant: 'contoso' }))
      .thenRejected('not_authorized');
  });

  it('delegations count only for partners: a customer admin of another tenant listing one is still refused', () => {
    const admin: Actor = { id: 'eve@fabrikam.com', role: 'customer-admin', tenant: 'fabrikam', delegations: ['contoso'] };
    given([]).when(open({ actor: admin, tenant: 'contoso' })).thenRejected('not_authorized');
  });

  it('support staff open on behalf of any tenant', () => {
    given([]).when(open({ actor: actors.agent, tenant: 'woodgrove' })).thenEvents([{ type: 'TicketOpened', data: { tenant: 'woodgrove' } }]);
    given([]).when(open({ actor: actors.supervisor, tenant: 'fabrikam' })).thenEvents([{ type: 'TicketOpened' }]);
  });
});

describe('tenant isolation on an existing ticket', () => {
  // A ticket an agent opened on behalf of fabrikam: contoso's people have no say in it.
  const fabrikamTicket = [opened({ tenant: 'fabrikam' }, { actor: actors.agent }), triaged()];
  const fabrikamAdmin = actors.otherTenantAdmin;

  it('the admin of the ticket tenant is the customer side', () => {
    given(fabrikamTicket).when(note({ actor: fabrikamAdmin })).thenEvents([{ type: 'NoteAdded' }]);
    given(fabrikamTicket).when(close({ actor: fabrikamAdmin, reason: 'cancelled' })).thenEvents([{ type: 'TicketClosed' }]);
  });

  it('the admin of another tenant may neither comment, reply, close nor reopen', () => {
    const contosoAdmin = actors.customerAdmin;
    given(fabrikamTicket).when(note({ actor: contosoAdmin })).thenRejected('not_authorized');
    given(fabrikamTicket).when(close({ actor: contosoAdmin, reason: 'cancelled' })).thenRejected('not_authorized');
    const awaiting = [...fabrikamTicket, ...historyTo('awaitingCustomer').slice(2)];
    given(awaiting).when(customerReply({ actor: contosoAdmin })).thenRejected('not_authorized');
    given(awaiting).when(customerReply({ actor: fabrikamAdmin })).thenEvents([{ type: 'CustomerReplied' }]);
    const resolvedTicket = [...fabrikamTicket, ...historyTo('resolved').slice(2)];
    given(resolvedTicket).when(reopen({ actor: contosoAdmin })).thenRejected('not_authorized');
    given(resolvedTicket).when(reopen({ actor: fabrikamAdmin })).thenEvents([{ type: 'TicketReopened' }]);
  });
});
