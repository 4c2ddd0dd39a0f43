import type { Position } from '@caseflow/eventstore';
import type { PolicyList } from '@caseflow/sla';
import type { FoldRow, TicketFold } from './projection.js';
import { foldRow, projectFold, startFold } from './projection.js';
import type { StoredTicket } from './tables.js';
import { storedTicketOf } from './tables.js';

/** Where a partition's events come from: its ticket streams' events in log order, and a stream's earlier events. */
export interface PartitionSource {
  /** The partition's events after `after` (from the log's start without it), in log order, a page at a time. */
  pages(after: Position | undefined): AsyncIterable<readonly FoldRow[]>;
  /** A ticket stream's events below `revision`, in order: to fold again a ticket no longer held in memory. */
  before(stream: string, revision: number): Promise<readonly FoldRow[]>;
}

export interface PartitionFoldOptions {
  /** Resume after this position (the partition's last checkpoint). */
  after: Position | undefined;
  policies: PolicyList;
  report: (error: Error) => void;
  /** Tickets per batch handed on. */
  batchSize: number;
  /** Events folded between checkpoints. */
  checkpointEvents: number;
  /** Tickets held in memory at most (see foldPartition): a positive whole number, as rebuildTicketList checks. */
  maxTickets: number;
}

/** What a partition hands on: tickets to write, what it folded since its last batch, and with a checkpoint, where it may resume. */
export interface PartitionBatch {
  tickets: StoredTicket[];
  /**
   * Ids of tickets in `tickets` that may have a row already, written earlier in this run (before
   * an eviction or a checkpoint) or by the run it resumes: their older rows are stale.
   */
  rewritten: string[];
  events: number;
  /** Tickets whose first event is among `events`. */
  opened: number;
  /** Every ticket of the partition is in this batch or an earlier one as of this position. */
  checkpoint?: Position;
  /** The partition's last batch: `checkpoint` is its last event's position (or the resumed one). */
  done: boolean;
}

interface HeldTicket {
  stream: string;
  fold: TicketFold;
  /** Has had an event since the eviction hand last passed it, or is new: a ticket is not dropped before the hand has passed it once. */
  touched: boolean;
  /** Folded again from its stream's earlier events, or handed on at a checkpoint: its row is written again. */
  rewrites: boolean;
}

/** Tickets dropped from memory at once when it is full: a tenth, so that dropping is rare. */
const EVICT_SHARE = 0.1;

/**
 * Folds one partition of the ticket streams in log order, as they happened: the log is read once
 * in the order it is stored, which costs about half what reading it stream by stream does. Memory
 * holds at most `maxTickets` tickets, whatever the log's size: when it is full, the tickets
 * untouched the longest (mostly closed ones) are projected, handed on and dropped; one that has
 * events later is folded again from its stream's earlier events, so the rows are the same
 * whatever the bound. Each checkpoint hands on every ticket held, so that a run resumed from it
 * starts with none in memory.
 */
export async function foldPartition(source: PartitionSource, options: PartitionFoldOptions, handOn: (batch: PartitionBatch) => Promise<void> | void): Promise<void> {
  const { policies, report, batchSize, checkpointEvents, maxTickets } = options;
  // Least recently used, approximately and cheaply (the "clock" scheme): an event only marks its
  // ticket; when memory is full, a hand that goes round the tickets in the order they came, and
  // stays where it stopped, unmarks each marked ticket it passes (a second chance) and drops the
  // first unmarked ones. A Map's iterator goes on past deletions and reaches entries added after it
  // until it has reported done (it then stays done, hence a fresh one); it has no `return` method,
  // so leaving a for-of over it early does not close it.
  const held = new Map<string, HeldTicket>();
  let hand = held.values();
  let tickets: StoredTicket[] = [];
  let rewritten: string[] = [];
  let events = 0;
  let opened = 0;
  let sinceCheckpoint = 0;
  let position: Position | number | undefined = options.after;

  const project = ({ fold, rewrites }: HeldTicket) => {
    const projected = projectFold(fold, policies, report);
    if (projected === undefined) return;
    tickets.push(storedTicketOf(projected));
    if (rewrites) rewritten.push(projected.ticket.id);
  };
  const flush = async (checkpoint: Position | undefined, done: boolean) => {
    const batch: PartitionBatch = { tickets, rewritten, events, opened, done, ...(checkpoint === undefined ? {} : { checkpoint }) };
    tickets = [];
    rewritten = [];
    events = 0;
    opened = 0;
    await handOn(batch);
  };
  /** Hands on every ticket held, in batches, so that the writer writes the first while this projects the rest; the last carries the checkpoint. */
  const handOnHeld = async (done: boolean) => {
    for (const heldTicket of held.values()) {
      project(heldTicket);
      heldTicket.rewrites = true;
      if (tickets.length >= batchSize) await flush(undefined, false);
    }
    await flush(position === undefined ? undefined : String(position), done);
  };
  const evict = () => {
    // More tickets are held than are dropped, so this ends within two rounds.
    let count = Math.ceil(maxTickets * EVICT_SHARE);
    for (;;) {
      for (const heldTicket of hand) {
        if (heldTicket.touched) {
          heldTicket.touched = false;
          continue;
        }
        held.delete(heldTicket.stream);
        project(heldTicket);
        if (--count === 0) return;
      }
      hand = held.values();
    }
  };

  for await (const page of source.pages(options.after)) {
    for (const row of page) {
      const [stream, revision, rowPosition] = row;
      let heldTicket = held.get(stream);
      if (heldTicket === undefined) {
        heldTicket = { stream, fold: startFold(), touched: true, rewrites: revision > 0 };
        if (heldTicket.rewrites) for (const earlier of await source.before(stream, revision)) foldRow(heldTicket.fold, earlier, report);
        held.set(stream, heldTicket);
      } else {
        heldTicket.touched = true;
      }
      foldRow(heldTicket.fold, row, report);
      position = rowPosition;
      events += 1;
      if (revision === 0) opened += 1;
      if (held.size > maxTickets) evict();
      if (++sinceCheckpoint >= checkpointEvents) {
        await handOnHeld(false);
        sinceCheckpoint = 0;
      } else if (tickets.length >= batchSize) {
        await flush(undefined, false);
      }
    }
  }
  await handOnHeld(true);
  held.clear();
}
