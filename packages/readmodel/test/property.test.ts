/**
 * The list against the truth: for random command sequences over a few tickets, each row equals a
 * direct fold of the ticket's whole stream, with breachAt from its SLA clocks over the full
 * (not compacted) history, whether the list followed the store live or a fresh generation was
 * built with `apply` in arbitrary batches.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CommandType, Severity, TicketStatus } from '@caseflow/domain';
import { allowedCommands, fold } from '@caseflow/domain';
import { fromStored, streamOf } from '@caseflow/engine';
import { clocks } from '@caseflow/sla';
import type { TicketSummary } from '../src/index.js';
import { MINUTE, World, adminOf, agent, iso, resolutionPolicy, scratchDirectory, supervisor } from './world.js';

const scratch = scratchDirectory();
afterAll(() => scratch.remove());

const TENANTS = ['contoso', 'fabrikam', 'northwind'];

const stepArb = fc.record({
  ticket: fc.nat(TENANTS.length - 1),
  /** Which of the commands the ticket's state accepts, so that sequences get far. */
  pick: fc.nat(),
  minutes: fc.integer({ min: 0, max: 150 }),
  severity: fc.constantFrom<Severity>('A', 'B', 'C'),
  owner: fc.constantFrom('sam', 'kim'),
  level: fc.integer({ min: 1, max: 3 }),
  closeReason: fc.constantFrom('cancelled', 'confirmed'),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

/** The fields of the command a step sends to ticket `ticketId` of `tenant`. */
function commandOf(step: Step, command: Exclude<CommandType, 'open'>, ticketId: string, tenant: string) {
  const customer = adminOf(tenant);
  switch (command) {
    case 'triage':
      return { type: command, ticketId, actor: agent, severity: step.severity, owner: step.owner };
    case 'customer-reply':
    case 'reopen':
      return { type: command, ticketId, actor: customer };
    case 'close':
      return { type: command, ticketId, actor: customer, reason: step.closeReason };
    case 'downgrade':
      return { type: command, ticketId, actor: agent, reason: 'no reply' };
    case 'resolve':
    case 'note':
      return { type: command, ticketId, actor: agent, text: 'Done' };
    case 'assign':
      return { type: command, ticketId, actor: supervisor, owner: step.owner };
    case 'escalate':
      return { type: command, ticketId, actor: agent, level: step.level };
    case 'change-severity':
      return { type: command, ticketId, actor: supervisor, severity: step.severity };
    case 'request-info':
      return { type: command, ticketId, actor: agent };
  }
}

/** The row a ticket's whole stream says it should have. */
async function expectedRow(w: World, ticketId: string, now: Date): Promise<TicketSummary> {
  const records = await w.store.readStream(streamOf(ticketId));
  const history = records.map(fromStored);
  const { status, ticket } = fold(history);
  if (ticket === undefined || status === 'none') throw new Error(`ticket ${ticketId} was never opened`);
  const dues = clocks(history, w.policy, new Date(ticket.lastEventAt))
    .filter((clock) => clock.status === 'running' || clock.status === 'breached')
    .flatMap((clock) => (clock.dueAt === null ? [] : [clock.dueAt.getTime()]));
  const breachAt = dues.length === 0 ? undefined : Math.min(...dues);
  return {
    id: ticketId, tenant: ticket.tenant, state: status, severity: ticket.severity, category: ticket.category, plan: ticket.plan,
    region: ticket.region, title: ticket.title, ...(ticket.owner === undefined ? {} : { owner: ticket.owner }),
    escalationLevel: ticket.escalationLevel, revision: records.length - 1, openedAt: ticket.openedAt,
    ...(ticket.closedAt === undefined ? {} : { closedAt: ticket.closedAt }), lastEventAt: ticket.lastEventAt,
    ...(breachAt === undefined ? {} : { breachAt: iso(breachAt) }), breached: breachAt !== undefined && breachAt <= now.getTime(),
  };
}

describe('TicketList: property', () => {
  it('holds for every ticket the fold of its stream, live and rebuilt in any batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 8 }), async (steps, batchSize) => {
        const w = new World(scratch.file(), resolutionPolicy);
        try {
          const live = await w.started();
          const tickets: ({ id: string; status: TicketStatus } | undefined)[] = TENANTS.map(() => undefined);
          for (const step of steps) {
            w.now += step.minutes * MINUTE;
            const tenant = TENANTS[step.ticket] ?? 'contoso';
            const ticket = tickets[step.ticket];
            if (ticket === undefined) {
              tickets[step.ticket] = { id: await w.open({ tenant, severity: step.severity }), status: 'opened' };
              continue;
            }
            const accepted = allowedCommands(ticket.status).filter((command) => command !== 'open');
            const command = accepted[step.pick % accepted.length];
            if (command === undefined) continue;
            // Refusals (a rule, not the state, says no) are part of the sequence too.
            const result = await w.send(commandOf(step, command, ticket.id, tenant));
            if (result.ok) ticket.status = result.state.status;
          }
          const log = await w.log();
          await live.caughtUpTo(log.at(-1)?.position ?? '');

          const rebuilt = w.list({ generation: 2 });
          for (let i = 0; i < log.length; i += batchSize) await rebuilt.apply(log.slice(i, i + batchSize));

          const now = new Date(w.now + 3 * 60 * MINUTE);
          const opened = tickets.flatMap((ticket) => (ticket === undefined ? [] : [ticket.id]));
          const expected = await Promise.all(opened.map((id) => expectedRow(w, id, now)));
          const byId = (rows: TicketSummary[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
          expect(byId(live.query({}, now).items)).toEqual(byId(expected));
          expect(rebuilt.query({}, now).items).toEqual(live.query({}, now).items);
          expect(rebuilt.checkpoint()).toBe(live.checkpoint());
        } finally {
          await w.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
