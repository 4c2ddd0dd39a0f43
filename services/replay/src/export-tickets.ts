/**
 * One row per ticket, from the read model's report facts (under each ticket's pinned policy): what
 * an analyst loads into a spreadsheet or notebook. Streamed from the table, so memory stays flat.
 */
import type { TicketFacts } from '@caseflow/analytics';
import type { ExportOptions } from './export-stream.js';
import { checkedWindow, writeRows } from './export-stream.js';
import type { ReportSource } from './reports.js';
import { caughtUpList } from './reports.js';

export const TICKET_CSV_COLUMNS = [
  'ticket_id',
  'tenant',
  'plan',
  'region',
  'category',
  'severity',
  'opened_at',
  'last_event_at',
  'state',
  'policy',
  'follow_up_of',
  'initial_response',
  'response_business_ms',
  'responded_at',
  'due_at',
  'awaiting_customer_ms',
  'downgrades',
  'reopens',
  'escalations',
] as const;

const stateOf = (facts: TicketFacts) => facts.stays.at(-1)?.state ?? 'opened';
const text = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));

function csvRow(facts: TicketFacts): string[] {
  const response = facts.initialResponse;
  return [
    facts.ticketId,
    facts.tenant,
    facts.plan,
    facts.region,
    facts.category,
    facts.severity,
    facts.openedAt,
    facts.lastEventAt,
    stateOf(facts),
    `${facts.policy.id}@${facts.policy.version}`,
    text(facts.followUpOf),
    response.outcome,
    text(response.businessMs),
    text(response.respondedAt),
    text(response.dueAt),
    String(facts.awaitingCustomerMs),
    String(facts.downgrades),
    String(facts.reopens),
    JSON.stringify(facts.escalations),
  ];
}

/**
 * Writes every ticket opened in [from, to), in ticket id order: NDJSON lines of its facts with
 * its current state, or CSV rows. The read model is caught up with the log first.
 */
export async function exportTickets(source: ReportSource, options: ExportOptions, out: NodeJS.WritableStream): Promise<{ tickets: number }> {
  const inWindow = checkedWindow(options);
  const list = await caughtUpList(source);
  function* ticketsInWindow(): Generator<TicketFacts> {
    for (const facts of list.facts()) if (inWindow(facts.openedAt)) yield facts;
  }
  try {
    const shape = { json: (facts: TicketFacts) => ({ state: stateOf(facts), ...facts }), columns: TICKET_CSV_COLUMNS, csv: csvRow };
    return { tickets: await writeRows(ticketsInWindow(), options.format, shape, out) };
  } finally {
    await list.stop();
  }
}
