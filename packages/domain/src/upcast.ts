import type { TicketEventType } from './events.js';
import { EVENT_DATA, EVENT_VERSIONS, TicketEvent } from './events.js';

/** Turns the payload of version n into the payload of version n + 1. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters by event type and the version they read. Stored events are never rewritten: an old
 * version is brought up to date each time it is read.
 */
export const UPCASTERS: Partial<Record<TicketEventType, Record<number, Upcaster>>> = {
  TicketOpened: {
    // v2 names what the link means: the request follows up a closed ticket (see EVENT_DATA).
    1: (data) => {
      const { relatedTicketId, ...rest } = data as Record<string, unknown>;
      return relatedTicketId === undefined ? rest : { ...rest, followUpOf: relatedTicketId };
    },
  },
};

export class EventDecodingError extends Error {
  constructor(
    message: string,
    readonly eventId: unknown,
  ) {
    super(message);
    this.name = 'EventDecodingError';
  }
}

const isEventType = (type: unknown): type is TicketEventType => typeof type === 'string' && Object.hasOwn(EVENT_DATA, type);

/**
 * Brings a stored event of any known version up to the current version, trusting its shape: for
 * events read back from caseflow's own store, which only ever holds what `decide` produced.
 * Unknown types and versions still throw EventDecodingError.
 */
export function upcastEvent(raw: unknown): TicketEvent {
  const record = raw as { id?: unknown; type?: unknown; version?: unknown; data?: unknown } | null;
  if (typeof record !== 'object' || record === null) throw new EventDecodingError('an event must be an object', undefined);
  const { type, id } = record;
  if (!isEventType(type)) throw new EventDecodingError(`unknown event type ${String(type)}`, id);
  const current = EVENT_VERSIONS[type];
  let { version, data } = record;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > current) {
    throw new EventDecodingError(`${type} has version ${String(version)}; this reader knows versions 1 to ${current}`, id);
  }
  if (version === current) return record as TicketEvent;
  for (; version < current; version++) {
    const upcaster = UPCASTERS[type]?.[version];
    if (upcaster === undefined) throw new EventDecodingError(`no upcaster for ${type} v${version}`, id);
    data = upcaster(data);
  }
  return { ...record, version, data } as TicketEvent;
}

/**
 * Reads an event from outside (an import, another system) as the current version: upcast, then
 * validated against its schema. Throws EventDecodingError naming what is wrong.
 */
export function decodeEvent(raw: unknown): TicketEvent {
  const upcast = upcastEvent(raw);
  const parsed = TicketEvent.safeParse(upcast);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new EventDecodingError(`${upcast.type} ${String(upcast.id)} does not match its schema: ${detail}`, upcast.id);
  }
  return parsed.data;
}
