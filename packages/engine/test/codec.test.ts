/**
 * briefFromStoredText against fromStoredText: the same type, version, instant and data, whether the
 * metadata is read from its head (as toStored writes it) or parsed whole (any other form).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { TicketEvent } from '@caseflow/domain';
import { EVENT_VERSIONS } from '@caseflow/domain';
import { briefFromStoredText, fromStoredText, toStored } from '../src/index.js';

const briefOf = ({ id, type, version, occurredAt, data }: TicketEvent) => ({ id, type, version, occurredAt, data });

type Fields = { type: 'NoteAdded' | 'TicketOpened'; version: number; ticketId: string; occurredAt: string; actorId: string; commandId: string; note: string };

/** The stored text of an event with the given envelope fields, written as toStored writes it. */
function storedText(fields: Fields) {
  const event = {
    id: 'e-1',
    type: fields.type,
    version: fields.version,
    ticketId: fields.ticketId,
    occurredAt: fields.occurredAt,
    actor: { id: fields.actorId, role: 'agent', tenant: 'support' },
    commandId: fields.commandId,
    correlationId: fields.commandId,
    causationId: fields.commandId,
    // A link under its v1 name: upcasting a TicketOpened renames it, so a version misread shows.
    data: { text: fields.note, visibility: 'internal', relatedTicketId: fields.commandId },
  } as TicketEvent;
  const { data, metadata } = toStored(event);
  return { data: JSON.stringify(data), metadata: JSON.stringify(metadata) };
}

/** Strings with what JSON escapes (quotes, backslashes, control characters, lone surrogates) as often as without. */
const textArb = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom('"', '\\', '\n', 'a', '}', ',', ':', 'é', '\u2028') }));
/** Either type, in any version this reader knows (a TicketOpened of version 1 is upcast). */
const typedArb = fc
  .constantFrom<Fields['type']>('NoteAdded', 'TicketOpened')
  .chain((type) => fc.record({ type: fc.constant(type), version: fc.integer({ min: 1, max: EVENT_VERSIONS[type] }) }));

describe('briefFromStoredText', () => {
  it('reads what fromStoredText reads of any event toStored wrote, escaped characters included', () => {
    fc.assert(
      fc.property(typedArb, fc.record({ ticketId: textArb, occurredAt: textArb, actorId: textArb, commandId: textArb, note: textArb }), (typed, envelope) => {
        // Given an event as toStored wrote it; when both decoders read its text; then they agree.
        const { data, metadata } = storedText({ ...typed, ...envelope });
        expect(briefFromStoredText('e-1', typed.type, data, metadata)).toEqual(briefOf(fromStoredText('e-1', typed.type, data, metadata)));
      }),
      { numRuns: 500 },
    );
  });

  it('parses metadata in another key order whole', () => {
    // Given metadata written by another program, with the instant first...
    const metadata = JSON.stringify({ occurredAt: '2026-03-02T09:00:00.000Z', version: 1, ticketId: 'T-1', actor: { id: 'sam' } });
    // ...when read briefly, then the instant and version are still its own.
    expect(briefFromStoredText('e-2', 'NoteAdded', '{"text":"x"}', metadata)).toEqual({
      id: 'e-2',
      type: 'NoteAdded',
      version: 1,
      occurredAt: '2026-03-02T09:00:00.000Z',
      data: { text: 'x' },
    });
  });

  it('upcasts an old version as fromStoredText does', () => {
    // Given a TicketOpened stored as version 1, with its link under the old name...
    const metadata = JSON.stringify({ version: 1, ticketId: 'T-1', occurredAt: '2026-03-02T09:00:00.000Z', actor: { id: 'alice' } });
    const data = JSON.stringify({ tenant: 'contoso', relatedTicketId: 'T-0' });
    // ...then the brief read is version 2 with the link under its new name, as the whole read is.
    const brief = briefFromStoredText('e-3', 'TicketOpened', data, metadata);
    expect(brief).toMatchObject({ version: 2, data: { tenant: 'contoso', followUpOf: 'T-0' } });
    expect(brief).toEqual(briefOf(fromStoredText('e-3', 'TicketOpened', data, metadata)));
  });

  it('refuses an unknown version, and a head that is not JSON, as fromStoredText does', () => {
    const tooNew = JSON.stringify({ version: 99, ticketId: 'T-1', occurredAt: '2026-03-02T09:00:00.000Z' });
    expect(() => briefFromStoredText('e-4', 'NoteAdded', '{}', tooNew)).toThrow('NoteAdded has version 99');
    // A leading zero is not JSON: the head does not match it, and parsing it whole fails.
    const leadingZero = '{"version":01,"ticketId":"T-1","occurredAt":"2026-03-02T09:00:00.000Z"}';
    expect(() => briefFromStoredText('e-5', 'NoteAdded', '{}', leadingZero)).toThrow(SyntaxError);
    expect(() => fromStoredText('e-5', 'NoteAdded', '{}', leadingZero)).toThrow(SyntaxError);
  });

  it('trusts the metadata after its head: what caseflow stored is not checked again', () => {
    const head = '{"version":1,"ticketId":"T-1","occurredAt":"2026-03-02T09:00:00.000Z"';
    const read = { id: 'e-6', type: 'NoteAdded', version: 1, occurredAt: '2026-03-02T09:00:00.000Z', data: {} };
    // Given metadata cut off after its head, which JSON.parse refuses, then the brief read takes the head.
    expect(() => fromStoredText('e-6', 'NoteAdded', '{}', `${head},"actor":{"id`)).toThrow(SyntaxError);
    expect(briefFromStoredText('e-6', 'NoteAdded', '{}', `${head},"actor":{"id`)).toEqual(read);
    // Given a version written twice, then the head's counts, where JSON.parse keeps the last.
    expect(briefFromStoredText('e-6', 'NoteAdded', '{}', `${head},"version":99}`)).toEqual(read);
  });
});
