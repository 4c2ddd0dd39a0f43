import { describe, expect, it } from '@jest/globals';
import { EventDecodingError, TICKET_EVENT_TYPES, decodeEvent, fold, upcastEvent } from '@caseflow/domain';
import { fullLifecycle } from './gwt.js';

const { events } = fullLifecycle();
/** A stored copy of the first event, as it comes back from a database or a Kafka message. */
const stored = (): Record<string, unknown> => JSON.parse(JSON.stringify(events[0])) as Record<string, unknown>;

function decodingError(raw: unknown): EventDecodingError {
  try {
    decodeEvent(raw);
  } catch (error) {
    if (error instanceof EventDecodingError) return error;
    throw error;
  }
  throw new Error('decodeEvent accepted the event');
}

describe('decodeEvent', () => {
  it('the sample history holds every event type', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(TICKET_EVENT_TYPES));
  });

  it.each(events.map((event) => [event.type, event] as const))('%s round-trips through JSON', (_type, event) => {
    expect(decodeEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('a decoded history folds to the same ticket', () => {
    const decoded = events.map((e) => decodeEvent(JSON.parse(JSON.stringify(e))));
    expect(fold(decoded)).toEqual(fold(events));
  });

  it('an unknown type is refused, naming the type and keeping the event id', () => {
    const raw = stored();
    const error = decodingError({ ...raw, type: 'TicketDeleted' });
    expect(error.message).toContain('TicketDeleted');
    expect(error.eventId).toBe(raw.id);
    expect(error.name).toBe('EventDecodingError');
    expect(error).toBeInstanceOf(Error);
  });

  it('a type inherited from Object.prototype is unknown too', () => {
    decodingError({ ...stored(), type: 'toString' });
    decodingError({ ...stored(), type: '__proto__' });
  });

  it.each([0, 3, -1, 1.5, '2', null, undefined])('version %p is refused', (version) => {
    const error = decodingError({ ...stored(), version });
    expect(error.message).toContain('version');
  });

  const mismatches: [string, (raw: Record<string, unknown>) => unknown][] = [
    ['a payload field missing', (raw) => ({ ...raw, data: { ...(raw.data as object), title: undefined } })],
    ['an unknown payload field', (raw) => ({ ...raw, data: { ...(raw.data as object), colour: 'red' } })],
    ['an unknown envelope field', (raw) => ({ ...raw, revision: 3 })],
    ['no payload', (raw) => ({ ...raw, data: undefined })],
    ['an id that is no uuid', (raw) => ({ ...raw, id: 'event-1' })],
    ['an instant without offset', (raw) => ({ ...raw, occurredAt: '2025-03-03T09:00:00' })],
    ['a recorded actor with delegations', (raw) => ({ ...raw, actor: { ...(raw.actor as object), delegations: ['contoso'] } })],
    ['an empty command id', (raw) => ({ ...raw, commandId: '' })],
    ['a severity out of range', (raw) => ({ ...raw, data: { ...(raw.data as object), severity: 'D' } })],
  ];

  it.each(mismatches)('%s does not match the schema', (_name, change) => {
    const error = decodingError(change(stored()));
    expect(error.message).toMatch(/does not match its schema/);
  });

  it.each([null, 'TicketOpened', 7, undefined])('%p is not an event', (raw) => {
    expect(decodingError(raw).eventId).toBeUndefined();
  });
});

describe('upcastEvent (reading caseflow’s own store)', () => {
  it('returns a current-version event as it is, without validating it again', () => {
    const [event] = fullLifecycle().events;
    const raw = JSON.parse(JSON.stringify(event)) as unknown;
    expect(upcastEvent(raw)).toBe(raw);
  });

  it('still refuses types and versions it does not know', () => {
    const [event] = fullLifecycle().events;
    expect(() => upcastEvent({ ...event, type: 'TicketTeleported' })).toThrow(EventDecodingError);
    expect(() => upcastEvent({ ...event, version: 3 })).toThrow(/knows versions 1 to 2/);
    expect(() => upcastEvent(null)).toThrow(EventDecodingError);
  });
});

describe('TicketOpened v1 (before the link was named followUpOf)', () => {
  const v1 = () => {
    const { followUpOf: _current, ...data } = stored().data as Record<string, unknown>;
    return { ...stored(), version: 1, data: { ...data, relatedTicketId: 'T-0999' } as Record<string, unknown> };
  };

  it('decodes as v2 with the link renamed, and folds into the same ticket', () => {
    const event = decodeEvent(v1());
    expect(event).toMatchObject({ type: 'TicketOpened', version: 2, data: { followUpOf: 'T-0999' } });
    expect(event.data).not.toHaveProperty('relatedTicketId');
    expect(fold([event]).ticket?.relatedTicketId).toBe('T-0999');
  });

  it('still refuses a v1 payload that is wrong after upcasting, naming the field', () => {
    const { title: _missing, ...data } = v1().data;
    expect(decodingError({ ...v1(), data }).message).toMatch(/title/);
  });
});
