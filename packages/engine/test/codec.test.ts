/**
 * briefFromStoredText against fromStoredText: the same type, version, instant and data, whether the
 * metadata is read from its head (as toStored writes it) or parsed whole (any other form).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { TicketEvent } from '@caseflow/domain';
import { briefFromStoredText, fromStoredText, toStored } from '../src/index.js';

const briefOf = ({ id, type, version, occurredAt, data }: TicketEvent) => ({ id, type, version, occurredAt, data });

/** The stored text of an event with the given envelope fields, written as toStored writes it. */
function storedText(fields: { ticketId: string; occurredAt: string; actorId: string; commandId: string; note: string }) {
  const event = {
    id: 'e-1',
    type: 'NoteAdded',
    version: 1,
    ticketId: fields.ticketId,
    occurredAt: fields.occurredAt,
    actor: { id: fields.actorId, role: 'agent', tenant: 'support' },
    commandId: fields.commandId,
    correlationId: fields.commandId,
    causationId: fields.commandId,
    data: { text: fields.note, visibility: 'internal' },
  } as TicketEvent;
  const { data, metadata } = toStored(event);
  return { data: JSON.stringify(data), metadata: JSON.stringify(metadata) };
}

/** Strings with what JSON escapes (quotes, backslashes, control characters) as often as without. */
const textArb = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('"', '\\', '\n', 'a', '}', ',', ':', 'é') }));

describe('briefFromStoredText', () => {
  it('reads what fromStoredText reads of any event toStored wrote, escaped characters included', () => {
    fc.assert(
      fc.property(fc.record({ ticketId: textArb, occurredAt: textArb, actorId: textArb, commandId: textArb, note: textArb }), (fields) => {
        // Given an event as toStored wrote it; when both decoders read its text; then they agree.
        const { data, metadata } = storedText(fields);
        expect(briefFromStoredText('e-1', 'NoteAdded', data, metadata)).toEqual(briefOf(fromStoredText('e-1', 'NoteAdded', data, metadata)));
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

  it('refuses what fromStoredText refuses: an unknown version, or metadata that is not JSON', () => {
    const tooNew = JSON.stringify({ version: 99, ticketId: 'T-1', occurredAt: '2026-03-02T09:00:00.000Z' });
    expect(() => briefFromStoredText('e-4', 'NoteAdded', '{}', tooNew)).toThrow('NoteAdded has version 99');
    // A leading zero is not JSON: the head does not match it, and parsing it whole fails.
    const leadingZero = '{"version":01,"ticketId":"T-1","occurredAt":"2026-03-02T09:00:00.000Z"}';
    expect(() => briefFromStoredText('e-5', 'NoteAdded', '{}', leadingZero)).toThrow(SyntaxError);
    expect(() => fromStoredText('e-5', 'NoteAdded', '{}', leadingZero)).toThrow(SyntaxError);
  });
});
