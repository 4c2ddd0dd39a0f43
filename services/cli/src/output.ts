import type { HistoryEntry, TicketView } from '@caseflow/engine';
import type { SlaClock } from '@caseflow/sla';
import type { ServerClock } from './remote.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** The process's own streams, when the CLI runs as a program: exports stream into stdout, and a rebuild draws its progress bar on a terminal's stderr. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream;
}

/** JSON with bigints as numbers (revisions fit easily). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2);
}

/** A refusal by the domain, the engine or the API's server, in one line naming its code. */
export function describeRejection(rejection: { code: string; message: string }): string {
  return `refused (${rejection.code}): ${rejection.message}`;
}

export function describeTicket(view: TicketView): string {
  const lines = [
    `${view.id}  ${view.title}`,
    `  state ${view.state}   severity ${view.severity}   category ${view.category}   revision ${view.revision}`,
    `  tenant ${view.tenant}   plan ${view.plan}${view.advancedAgreement ? ' (advanced agreement)' : ''}   region ${view.region}   language ${view.language}`,
    `  contact ${view.contact.preferred}: ${view.contact[view.contact.preferred] ?? ''}`,
    `  owner ${view.owner ?? '—'}${view.queue === undefined ? '' : `   queue ${view.queue}`}   escalation level ${view.escalationLevel}`,
    `  opened ${view.openedAt} by ${view.openedBy.role} ${view.openedBy.id}@${view.openedBy.tenant}`,
  ];
  if (view.triagedAt !== undefined) lines.push(`  triaged ${view.triagedAt}`);
  if (view.resolvedAt !== undefined) lines.push(`  resolved ${view.resolvedAt}: ${view.resolution ?? ''}`);
  if (view.closedAt !== undefined) lines.push(`  closed ${view.closedAt} (${view.closeReason ?? ''})`);
  if (view.reopenCount > 0) lines.push(`  reopened ${view.reopenCount} time(s)`);
  return lines.join('\n');
}

export function describeHistory(entries: HistoryEntry[]): string {
  return entries
    .map(({ event, stateAfter }) => {
      const who = `${event.actor.role} ${event.actor.id}@${event.actor.tenant}`;
      return `${event.occurredAt}  #${stateAfter.revision}  ${event.type.padEnd(16)} by ${who.padEnd(36)} -> ${stateAfter.state} (severity ${stateAfter.severity})`;
    })
    .join('\n');
}

const hours = (ms: number) => `${(ms / 3_600_000).toFixed(2)} h`;

export function describeClocks(clocks: SlaClock[], at: Date): string {
  if (clocks.length === 0) return `no SLA clock has started by ${at.toISOString()}`;
  return clocks
    .map((c) => {
      const due = c.dueAt === null ? 'no commitment' : `due ${c.dueAt.toISOString()}, warning ${c.warningAt?.toISOString() ?? '—'}`;
      const remaining = c.remainingMs === null ? '' : `, remaining ${hours(c.remainingMs)}`;
      return `${c.name} (cycle ${c.cycle}): ${c.status}; ${due}; elapsed ${hours(c.elapsedMs)}${remaining} on ${c.calendar}`;
    })
    .join('\n');
}

/** The clocks the API reports, as they stand on the server's clock. */
export function describeServerClocks(clocks: readonly ServerClock[]): string {
  if (clocks.length === 0) return 'no SLA clock has started';
  return clocks
    .map((c) => {
      const due = c.dueAt === null ? 'no commitment' : `due ${c.dueAt}`;
      const remaining = c.remaining === null ? '' : `, remaining ${c.remaining}`;
      return `${c.name} (cycle ${c.cycle}): ${c.status}; ${due}${remaining} on ${c.calendar}`;
    })
    .join('\n');
}
