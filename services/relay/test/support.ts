/**
 * What the relay tests share: a scratch directory per test file, the people who act on tickets,
 * and a real engine whose commands the relay then publishes.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import type { Actor } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import { CommandEngine } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';

const admin: Actor = { id: 'alice', role: 'customer-admin', tenant: 'contoso' };
const agent: Actor = { id: 'sam', role: 'agent', tenant: 'support' };

/** A new directory under the system temp dir, removed once the test file's tests have run. */
export function scratchDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An engine on `store` whose clock starts at 2026-11-02T09:00Z and moves a second on at each command. */
export function engineOn(store: EventStore): CommandEngine {
  let now = Date.parse('2026-11-02T09:00:00Z');
  return new CommandEngine({ store, clock: { now: () => new Date((now += 1000)) }, policy: defaultDecisionPolicy });
}

/** The command (without its id) that opens a severity B technical ticket for contoso's admin. */
export const openTicket = (ticketId: string) => ({
  type: 'open', ticketId, actor: admin, tenant: 'contoso', plan: 'enterprise', region: 'US',
  category: 'technical', severity: 'B', title: 'Mail flow down', contact: { email: 'alice@contoso.example', preferred: 'email' }, language: 'en',
});

/** The command (without its id) by which the agent adds a note. */
export const note = (ticketId: string, text: string) => ({ type: 'note', ticketId, actor: agent, text });

/** Hands `command` with a new command id to `engine`, and throws unless it is accepted. */
export async function accepted(engine: CommandEngine, command: object): Promise<void> {
  const result = await engine.handle({ ...command, commandId: randomUUID() });
  if (!result.ok) throw new Error(result.rejection.message);
}
