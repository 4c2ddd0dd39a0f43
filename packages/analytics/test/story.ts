/**
 * Ticket histories for the facts tests, each step a command decided by the real domain, so a
 * history here is one the engine could have stored.
 *
 *   const { events } = story({ plan: 'enterprise', severity: 'A' }, T).triage(after(T, 40 * MINUTE));
 */
import type { Actor, CommandInput, Severity, TicketEvent, TicketState } from '@caseflow/domain';
import { decide, defaultDecisionPolicy, evolve, initialState } from '@caseflow/domain';

export { DAY, HOUR, MINUTE, at as after } from './fixtures.js';

/** A Friday, 11:00 in New York. */
export const T = '2026-11-20T16:00:00.000Z';

const TENANT = 'contoso';
const actors = {
  agent: { id: 'agent-7', role: 'agent', tenant: 'support' },
  supervisor: { id: 'sup-1', role: 'supervisor', tenant: 'support' },
  service: { id: 'sla-timer', role: 'service', tenant: 'support' },
} satisfies Record<string, Actor>;

type OpenInput = Extract<CommandInput, { type: 'open' }>;
export type OpenFields = Partial<Pick<OpenInput, 'plan' | 'region' | 'category' | 'severity' | 'tenant' | 'relatedTicketId'>>;
type Step = { [K in CommandInput['type']]: Omit<Extract<CommandInput, { type: K }>, 'commandId' | 'ticketId' | 'actor'> }[CommandInput['type']];

export class Story {
  private state: TicketState = initialState;
  readonly events: TicketEvent[] = [];
  /** The opening tenant's admin, who speaks for the customer. */
  private customerAdmin: Actor = { id: 'admin', role: 'customer-admin', tenant: TENANT };

  constructor(readonly ticketId: string) {}

  private run(step: Step, at: string, actor: Actor): this {
    const command = { ...step, commandId: `${this.ticketId}-${this.events.length + 1}`, ticketId: this.ticketId, actor };
    const decision = decide(this.state, command, { now: new Date(at), policy: defaultDecisionPolicy });
    if (!decision.ok) throw new Error(`${step.type} at ${at} was refused: ${decision.rejection.message}`);
    for (const event of decision.events) {
      this.events.push(event);
      this.state = evolve(this.state, event);
    }
    return this;
  }

  open(fields: OpenFields, at: string): this {
    const open: Step = {
      type: 'open',
      tenant: TENANT,
      plan: 'enterprise',
      region: 'US',
      category: 'technical',
      severity: 'B',
      title: 'Mail flow to external recipients stopped',
      description: 'Since this morning no mail leaves the tenant.',
      contact: { email: 'alice@contoso.com', preferred: 'email' },
      language: 'en',
      ...fields,
    };
    this.customerAdmin = { id: `admin@${open.tenant}`, role: 'customer-admin', tenant: open.tenant };
    return this.run(open, at, this.customerAdmin);
  }
  triage(at: string, severity?: Severity): this {
    return this.run({ type: 'triage', ...(severity === undefined ? {} : { severity }), text: 'Looking at the connector.' }, at, actors.agent);
  }
  requestInfo(at: string): this {
    return this.run({ type: 'request-info', text: 'Please send a message trace.' }, at, actors.agent);
  }
  customerReply(at: string): this {
    return this.run({ type: 'customer-reply', text: 'Trace attached.' }, at, this.customerAdmin);
  }
  downgrade(at: string): this {
    return this.run({ type: 'downgrade', reason: 'no customer response within the collaboration window' }, at, actors.service);
  }
  changeSeverity(at: string, severity: Severity): this {
    return this.run({ type: 'change-severity', severity, reason: 'whole tenant affected' }, at, actors.supervisor);
  }
  escalate(at: string, level: number): this {
    return this.run({ type: 'escalate', level, clock: 'initial-response' }, at, actors.service);
  }
  note(at: string): this {
    return this.run({ type: 'note', text: 'Still looking.' }, at, actors.agent);
  }
  resolve(at: string): this {
    return this.run({ type: 'resolve', text: 'Connector certificate renewed.' }, at, actors.agent);
  }
  close(at: string, reason?: 'cancelled' | 'confirmed'): this {
    return this.run({ type: 'close', ...(reason === undefined ? {} : { reason }) }, at, this.customerAdmin);
  }
  reopen(at: string): this {
    return this.run({ type: 'reopen', text: 'It happened again.' }, at, this.customerAdmin);
  }
}

/** A ticket opened at `at`: an enterprise technical Sev B request from contoso in the US unless told otherwise. */
export const story = (fields: OpenFields, at: string, ticketId = 'T-1'): Story => new Story(ticketId).open(fields, at);

/**
 * An event as the ticket list's read model keeps it (packages/readmodel `compact`, which is not
 * public): free text blanked, and only TicketOpened keeps its ticket id and actor.
 */
export function compacted(event: TicketEvent): TicketEvent {
  const data: Record<string, unknown> = { ...event.data };
  for (const field of ['text', 'description', 'summary']) if (typeof data[field] === 'string') data[field] = '';
  const { type, occurredAt } = event;
  const kept = type === 'TicketOpened' ? { type, ticketId: event.ticketId, actor: event.actor, occurredAt, data } : { type, occurredAt, data };
  return kept as TicketEvent;
}
