import type { TicketFacts } from '@caseflow/analytics';
import { ticketFacts } from '@caseflow/analytics';
import type { LifecycleState, Ticket, TicketEvent, TicketEventType } from '@caseflow/domain';
import { EVENT_VERSIONS, fold } from '@caseflow/domain';
import type { BriefTicketEvent } from '@caseflow/engine';
import { STREAM_PREFIX, briefFromStoredText, fromStored, fromStoredText } from '@caseflow/engine';
import type { Position, RecordedEvent } from '@caseflow/eventstore';
import type { PolicyList, SlaClock } from '@caseflow/sla';
import { clocks, pinnedPolicy } from '@caseflow/sla';

/** What the list keeps of a ticket to apply its next events without reading its stream again. */
export interface TicketProgress {
  /** The stream revision of the last event applied. */
  revision: bigint;
  /** Compact events (see `compact`), in stream order. */
  history: TicketEvent[];
}

/** A ticket after its new events: what its row is made of, and what the next apply starts from. */
export interface ProjectedTicket extends TicketProgress {
  status: LifecycleState;
  ticket: Ticket;
  /** See `breachInstant`; undefined when no clock can breach before the next event. */
  breachAt: Date | undefined;
  /** The ticket's report facts under its pinned policy; undefined when no policy could time it. */
  facts: TicketFacts | undefined;
}

const FREE_TEXT_FIELDS = ['text', 'description', 'summary'];
/**
 * Events of which the fold, the SLA clocks and the report facts read the type and instant alone:
 * a fold from rows does not parse their data (see foldRow), which an upcaster of theirs would be
 * given empty, and which a rebuild therefore does not check either.
 */
const WITHOUT_DATA: ReadonlySet<string> = new Set<TicketEventType>(['NoteAdded', 'InfoRequested', 'CustomerReplied']);
const NO_DATA = Object.freeze({});
const NO_DATA_TEXT = '{}';
/** Each event type's name as one shared string: a row's type is a new string per event, which a history would keep. */
const TYPE_NAMES: ReadonlyMap<string, TicketEventType> = new Map(Object.keys(EVENT_VERSIONS).map((type) => [type, type as TicketEventType]));

/**
 * What fold, the SLA clocks and the report facts read of an event, and no more: a ticket's history
 * is rewritten with each of its events, so its size is what apply costs, and a whole-log rebuild
 * holds hundreds of thousands of events, each copied by young-generation collections. Free text is
 * blanked (descriptions may run to kilobytes); notes, info requests and customer replies (over
 * half of all events) keep no data at all; of the envelope only TicketOpened keeps the ticket id
 * and actor, which become the ticket's. The property test holds rows folded from compact
 * histories to full folds, and the report tests hold facts to a recount of the full histories.
 */
function compact(event: TicketEvent | BriefTicketEvent): TicketEvent {
  let data = (WITHOUT_DATA.has(event.type) ? NO_DATA : event.data) as Record<string, unknown>;
  for (const field of FREE_TEXT_FIELDS) if (typeof data[field] === 'string' && data[field] !== '') data = { ...data, [field]: '' };
  const { occurredAt } = event;
  const type = TYPE_NAMES.get(event.type) ?? event.type;
  if (event.type !== 'TicketOpened') return { type, occurredAt, data } as TicketEvent;
  // foldRow decodes every TicketOpened whole: its id and actor become the ticket's.
  if (!('actor' in event)) throw new Error(`TicketOpened ${event.id} came without its envelope`);
  return { type, ticketId: event.ticketId, actor: event.actor, occurredAt, data } as TicketEvent;
}

/** The ticket id of an event of a ticket stream; undefined for any other stream. */
export const ticketIdOf = (record: RecordedEvent): string | undefined =>
  record.stream.startsWith(STREAM_PREFIX) ? record.stream.slice(STREAM_PREFIX.length) : undefined;

/**
 * The instant the earliest clock that can breach does (or did): a breached clock's due instant,
 * which is behind it, or a running clock's, ahead. A paused, fulfilled or stopped clock cannot
 * breach until the next event, which computes this again.
 */
function breachInstant(ticketClocks: readonly SlaClock[]): Date | undefined {
  let earliest: Date | undefined;
  for (const { status, dueAt } of ticketClocks) {
    if ((status === 'running' || status === 'breached') && dueAt !== null && (earliest === undefined || dueAt < earliest)) earliest = dueAt;
  }
  return earliest;
}


/**
 * A ticket part-way through a fold: its compact history and last revision. The ticket itself is
 * folded from the history once, when it is projected: folding it per event would make a copy of
 * it per event that outlives young-generation collections, and a whole-log rebuild would fill the
 * heap with them. Mutable: folds are hot.
 */
export interface TicketFold {
  history: TicketEvent[];
  /** The stream revision of the last event applied; undefined before any. A number: a fold sets it per event. */
  revision: number | undefined;
}

/** A fold that goes on from what the list kept of a ticket (from nothing without it). */
export function startFold(progress?: TicketProgress): TicketFold {
  return { history: progress?.history.slice() ?? [], revision: progress === undefined ? undefined : Number(progress.revision) };
}

/**
 * A ticket event as a whole-log fold reads it: a SQLite store's row (see StoredEventRow), or
 * another store's event put in the same shape.
 */
export type FoldRow = [stream: string, revision: number, position: Position | number, id: string, type: string, data: string, metadata: string];

function applyEvent(ticketFold: TicketFold, event: TicketEvent, revision: number): void {
  // Only a ticket's first event can fail to apply (anything but TicketOpened); every later one
  // applies to the ticket it opened, so it waits for the projection (see TicketFold).
  if (ticketFold.history.length === 0) fold([event]);
  keep(ticketFold, event, revision);
}

function keep(ticketFold: TicketFold, event: TicketEvent | BriefTicketEvent, revision: number): void {
  ticketFold.history.push(compact(event));
  ticketFold.revision = revision;
}

const skipped = (type: string, id: string, stream: string, revision: bigint | number, cause: unknown) =>
  new Error(`ticket list: skipped ${type} ${id} at ${stream}@${revision}: ${(cause as Error).message}`, { cause });

/** Applies one recorded event; one that cannot be decoded or applied is reported and skipped, so one bad event never stops a fold. */
export function foldRecord(ticketFold: TicketFold, record: RecordedEvent, report: (error: Error) => void): void {
  try {
    applyEvent(ticketFold, fromStored(record), Number(record.revision));
  } catch (cause) {
    report(skipped(record.type, record.id, record.stream, record.revision, cause));
  }
}

/**
 * As foldRecord, for a row: its JSON is parsed straight into the event kept, with nothing in
 * between. A ticket's first event, and any TicketOpened, is decoded whole: it opens the ticket, or
 * fails to. Every other one is decoded for what compact keeps (see briefFromStoredText), its data
 * only when compact keeps it.
 */
export function foldRow(ticketFold: TicketFold, [stream, revision, , id, type, data, metadata]: FoldRow, report: (error: Error) => void): void {
  try {
    if (type === 'TicketOpened' || ticketFold.history.length === 0) applyEvent(ticketFold, fromStoredText(id, type, data, metadata), revision);
    else keep(ticketFold, briefFromStoredText(id, type, WITHOUT_DATA.has(type) ? NO_DATA_TEXT : data, metadata), revision);
  } catch (cause) {
    report(skipped(type, id, stream, revision, cause));
  }
}

/** The ticket a fold has reached: its row, clocks and facts; undefined when no event of it could be applied. */
export function projectFold(ticketFold: TicketFold, policies: PolicyList, report: (error: Error) => void): ProjectedTicket | undefined {
  const { history, revision } = ticketFold;
  const { status, ticket } = fold(history);
  if (revision === undefined || ticket === undefined || status === 'none') return undefined;
  let breachAt: Date | undefined;
  let facts: TicketFacts | undefined;
  try {
    const policy = pinnedPolicy(ticket.policy, policies);
    const ticketClocks = clocks(history, policy, new Date(ticket.lastEventAt));
    breachAt = breachInstant(ticketClocks);
    facts = ticketFacts(history, policy, ticketClocks);
  } catch (cause) {
    // A policy that cannot time this ticket should not hide it from the list.
    report(new Error(`ticket list: no SLA clocks for ticket ${ticket.id}: ${(cause as Error).message}`, { cause }));
  }
  return { revision: BigInt(revision), history, status, ticket, breachAt, facts };
}

/**
 * Applies a ticket's new events (stream order, each above `progress.revision`) to what the list
 * kept of it. Undefined when none could be applied. Costs O(events of the ticket): one fold and
 * one clock computation over its compact history.
 */
export function advanceTicket(
  progress: TicketProgress | undefined,
  records: readonly RecordedEvent[],
  policies: PolicyList,
  report: (error: Error) => void,
): ProjectedTicket | undefined {
  const ticketFold = startFold(progress);
  const kept = ticketFold.revision;
  for (const record of records) foldRecord(ticketFold, record, report);
  return ticketFold.revision === kept ? undefined : projectFold(ticketFold, policies, report);
}

/** The report facts of a ticket the list already holds (a generation written before facts were kept). */
export function factsOf(progress: TicketProgress, policies: PolicyList): TicketFacts {
  const { ticket } = fold(progress.history);
  if (ticket === undefined) throw new Error('a ticket list history starts with its TicketOpened event');
  return ticketFacts(progress.history, pinnedPolicy(ticket.policy, policies));
}
