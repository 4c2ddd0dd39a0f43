import { randomUUID } from 'node:crypto';
import type { CommandInput } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import type { Clock } from '@caseflow/engine';
import { CommandEngine, readHistory, readTicketAt } from '@caseflow/engine';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { GlobalOptions } from './context.js';
import { parseInstant, storeFile } from './context.js';
import type { Output } from './output.js';
import { describeHistory, describeRejection, describeTicket } from './output.js';

/** A command of any type, before the demo gives it its ids. */
type Scripted = CommandInput extends infer C ? (C extends unknown ? Omit<C, 'commandId' | 'ticketId'> : never) : never;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The main job until the API lands: one ticket's whole life on the embedded store, told step by
 * step. The story is back-dated so that it ends now, and the ticket stays in the store for
 * `caseflow ticket show` and `history` to explore.
 */
export async function runDemo(options: GlobalOptions, output: Output): Promise<void> {
  const end = options.now === undefined ? new Date() : parseInstant(options.now, '--now');
  let now = new Date(end.getTime() - 16 * DAY - 2 * HOUR);
  const clock: Clock = { now: () => now };
  const store = openSqliteEventStore(storeFile(options.data));
  const engine = new CommandEngine({ store, clock, policy: defaultDecisionPolicy });
  const admin = { id: 'alice', role: 'customer-admin', tenant: 'contoso' } as const;
  const agent = { id: 'sam', role: 'agent', tenant: 'support' } as const;
  try {
    const ticketId = randomUUID();
    const step = async (after: number, what: string, command: Scripted, ticket = ticketId) => {
      now = new Date(now.getTime() + after);
      const result = await engine.handle({ ...command, commandId: randomUUID(), ticketId: ticket });
      const outcome = result.ok ? `-> ${result.state.status} (severity ${result.state.ticket?.severity})` : describeRejection(result.rejection);
      output.out(`${now.toISOString()}  ${what.padEnd(58)} ${outcome}`);
      return result;
    };
    output.out(`caseflow demo: one service request, start to finish, stored in ${storeFile(options.data)}\n`);
    const request = {
      type: 'open',
      actor: admin,
      tenant: 'contoso',
      plan: 'enterprise',
      region: 'US',
      category: 'technical',
      severity: 'B',
      title: 'Mail flow to external recipients is failing',
      contact: { email: 'alice@contoso.example', preferred: 'email' },
      language: 'en',
    } as const;
    await step(0, 'alice (admin at contoso) opens a severity B request', request);
    await step(20 * 60_000, 'a plain user at contoso tries to triage it', { type: 'triage', actor: { id: 'bob', role: 'customer-user', tenant: 'contoso' } });
    await step(10 * 60_000, 'agent sam triages it and raises it to severity A', { type: 'triage', actor: agent, severity: 'A', owner: 'sam' });
    await step(HOUR, 'sam asks for the message trace', { type: 'request-info', actor: agent, text: 'Please send a message trace.' });
    await step(3 * HOUR, 'alice replies with the trace', { type: 'customer-reply', actor: admin, text: 'Trace attached.' });
    await step(2 * HOUR, 'sam resolves it', { type: 'resolve', actor: agent, text: 'Connector certificate renewed.' });
    await step(DAY, 'alice confirms and closes it', { type: 'close', actor: admin, reason: 'confirmed' });
    const closedAt = now;
    await step(15 * DAY - 5 * HOUR, 'fifteen days later, alice tries to reopen it', { type: 'reopen', actor: admin, text: 'It is back.' });
    const followUp = randomUUID();
    await step(60_000, 'so she opens a new request that links the old one', { ...request, relatedTicketId: ticketId }, followUp);

    output.out('\nHistory:');
    output.out(describeHistory(await readHistory(store, ticketId)));
    const before = new Date(closedAt.getTime() - 12 * HOUR);
    output.out(`\nAs of ${before.toISOString()} (time travel):`);
    const then = await readTicketAt(store, ticketId, before);
    if (then !== undefined) output.out(describeTicket(then));
    output.out(`\nExplore it: npm run -s caseflow -- ticket show ${ticketId}  |  npm run -s caseflow -- ticket history ${ticketId} --json`);
  } finally {
    await store.close();
  }
}
