import type { Command, DecisionPolicy, Rejection, TicketEvent, TicketState } from '@caseflow/domain';
import { decide, fold, initialState, parseCommand, ticketIdFor } from '@caseflow/domain';
import type { EventStore } from '@caseflow/eventstore';
import { WrongExpectedRevisionError } from '@caseflow/eventstore';
import type { Clock } from './clock.js';
import { fromStored, streamOf, toStored } from './codec.js';

/** Refusals the engine adds to the domain's: they depend on the store, not on the rules. */
export type EngineRejection =
  | Rejection
  | { code: 'not_found'; message: string }
  | { code: 'precondition_failed'; message: string; expected: bigint; actual: bigint | undefined }
  | { code: 'conflict'; message: string };

export interface Handled {
  ok: true;
  ticketId: string;
  /** The events this command recorded (the first time it was handled, for a repeat). */
  events: TicketEvent[];
  state: TicketState;
  revision: bigint;
  /** True when the command id had been handled before: nothing new was appended. */
  repeated: boolean;
}
export type HandleResult = Handled | { ok: false; rejection: EngineRejection };

export interface HandleOptions {
  /** If-Match: refuse unless the ticket is at exactly this revision. */
  expectedRevision?: bigint;
}

export interface EngineOptions {
  store: EventStore;
  clock: Clock;
  /** The current policy: tickets are opened under it. */
  policy: DecisionPolicy;
  /**
   * Earlier policy versions still pinned on tickets. A ticket is decided under the policy it was
   * opened with, so a new default never changes the rules for tickets already open; a pinned
   * version that is not given here falls back to the current policy.
   */
  pinnedPolicies?: readonly DecisionPolicy[];
  /** Tickets whose state is kept in memory between commands. */
  cacheSize?: number;
  /** Attempts before a write conflict that keeps recurring is reported as `conflict`. */
  maxAttempts?: number;
}

interface Loaded {
  state: TicketState;
  /** The stream's last revision; undefined while the ticket does not exist. */
  revision: bigint | undefined;
  /** For each command id already recorded, the revisions of its events. */
  commands: Map<string, { from: bigint; to: bigint }>;
}

const emptyTicket = (): Loaded => ({ state: initialState, revision: undefined, commands: new Map() });

/**
 * Handles commands: load the ticket's stream, decide, append with the expected revision, and on a
 * conflict reload and decide again. Event ids derive from the command id, so a command sent twice
 * takes effect once.
 */
export class CommandEngine {
  private readonly store: EventStore;
  private readonly clock: Clock;
  private readonly policy: DecisionPolicy;
  private readonly pinnedPolicies: readonly DecisionPolicy[];
  private readonly cacheSize: number;
  private readonly maxAttempts: number;
  private readonly cache = new Map<string, Loaded>();

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.policy = options.policy;
    this.pinnedPolicies = options.pinnedPolicies ?? [];
    this.cacheSize = options.cacheSize ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async handle(input: unknown, options: HandleOptions = {}): Promise<HandleResult> {
    const parsed = parseCommand(withTicketId(input));
    if (!parsed.ok) return parsed;
    const { command } = parsed;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const loaded = await this.load(command.ticketId);
      const earlier = loaded.commands.get(command.commandId);
      if (earlier !== undefined) return this.repeat(command.ticketId, earlier);
      const refusal = this.precondition(command, loaded, options);
      if (refusal !== undefined) return { ok: false, rejection: refusal };

      const decision = decide(loaded.state, command, { now: this.clock.now(), policy: this.policyFor(loaded.state) });
      if (!decision.ok) return decision;
      const stream = streamOf(command.ticketId);
      try {
        const appended = await this.store.appendToStream(stream, decision.events.map(toStored), loaded.revision ?? 'no_stream');
        const firstRevision = (loaded.revision ?? -1n) + 1n;
        if (appended.duplicate === true || appended.nextExpectedRevision !== firstRevision + BigInt(decision.events.length) - 1n) {
          // The store recognised the event ids: another handler recorded this command meanwhile.
          this.cache.delete(command.ticketId);
          continue;
        }
        const state = fold(decision.events, loaded.state);
        const commands = new Map(loaded.commands).set(command.commandId, { from: firstRevision, to: appended.nextExpectedRevision });
        this.remember(command.ticketId, { state, revision: appended.nextExpectedRevision, commands });
        return { ok: true, ticketId: command.ticketId, events: decision.events, state, revision: appended.nextExpectedRevision, repeated: false };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache.delete(command.ticketId);
        await pause(attempt);
      }
    }
    return {
      ok: false,
      rejection: { code: 'conflict', message: `ticket ${command.ticketId} kept changing; gave up after ${this.maxAttempts} attempts` },
    };
  }

  private policyFor({ ticket }: TicketState): DecisionPolicy {
    if (ticket === undefined) return this.policy;
    const { id, version } = ticket.policy;
    return [this.policy, ...this.pinnedPolicies].find((p) => p.id === id && p.version === version) ?? this.policy;
  }

  private precondition(command: Command, loaded: Loaded, options: HandleOptions): EngineRejection | undefined {
    if (loaded.revision === undefined && command.type !== 'open') {
      return { code: 'not_found', message: `no ticket ${command.ticketId}` };
    }
    if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
      return {
        code: 'precondition_failed',
        message: `ticket ${command.ticketId} is at revision ${String(loaded.revision)}, not ${options.expectedRevision}`,
        expected: options.expectedRevision,
        actual: loaded.revision,
      };
    }
    return undefined;
  }

  /** The ticket's current state: from the cache, brought up to date with anything appended since. */
  async load(ticketId: string): Promise<Loaded> {
    const cached = this.cache.get(ticketId) ?? emptyTicket();
    const fromRevision = cached.revision === undefined ? 0n : cached.revision + 1n;
    const records = await this.store.readStream(streamOf(ticketId), { fromRevision });
    if (records.length === 0) {
      if (cached.revision !== undefined) this.remember(ticketId, cached);
      return cached;
    }
    const events = records.map(fromStored);
    const commands = new Map(cached.commands);
    records.forEach((record, i) => {
      const { commandId } = events[i] as TicketEvent;
      const seen = commands.get(commandId);
      commands.set(commandId, { from: seen?.from ?? record.revision, to: record.revision });
    });
    const loaded: Loaded = { state: fold(events, cached.state), revision: (records[records.length - 1] as { revision: bigint }).revision, commands };
    this.remember(ticketId, loaded);
    return loaded;
  }

  /** The first result of a command handled before: its events and the ticket as they left it. */
  private async repeat(ticketId: string, revisions: { from: bigint; to: bigint }): Promise<Handled> {
    const records = await this.store.readStream(streamOf(ticketId), { fromRevision: 0n });
    const upTo = records.filter((r) => r.revision <= revisions.to).map(fromStored);
    const events = upTo.slice(Number(revisions.from));
    return { ok: true, ticketId, events, state: fold(upTo), revision: revisions.to, repeated: true };
  }

  private remember(ticketId: string, loaded: Loaded): void {
    this.cache.delete(ticketId);
    this.cache.set(ticketId, loaded);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** An open command may leave the ticket id out: it is derived from the command id, so a retry finds the same ticket. */
function withTicketId(input: unknown): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const candidate = input as { type?: unknown; ticketId?: unknown; commandId?: unknown };
  if (candidate.type !== 'open' || candidate.ticketId !== undefined || typeof candidate.commandId !== 'string') return input;
  return { ...candidate, ticketId: ticketIdFor(candidate.commandId) };
}

/** Spreads out handlers that collided so they do not collide again. */
function pause(attempt: number): Promise<void> {
  return new Promise((done) => setTimeout(done, Math.random() * 5 * attempt));
}
