import { it } from '@jest/globals';
import { evolve, fold, initialState, eventIdFor } from '@caseflow/domain';
import type { TicketEvent } from '@caseflow/domain';
it('x', () => {
  const e = { id: eventIdFor('x', 0), type: 'TicketTriaged', version: 1, ticketId: 'T', occurredAt: '2025-01-01T00:00:00.000Z', actor: { id: 'a', role: 'agent', tenant: 's' }, commandId: 'x', correlationId: 'x', causationId: 'x', data: { severity: 'B', category: 'technical' } } as TicketEvent;
  try { console.log(JSON.stringify(evolve(initialState, e))); } catch (err) { console.log('evolve threw', String(err)); }
  try { console.log(JSON.stringify(fold([e]))); } catch (err) { console.log('fold threw', String(err)); }
});
