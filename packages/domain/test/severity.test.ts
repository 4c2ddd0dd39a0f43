import { describe, expect, it } from '@jest/globals';
import type { Category, DecisionPolicy, Plan, Severity } from '@caseflow/domain';
import { defaultDecisionPolicy } from '@caseflow/domain';
import {
  changeSeverity,
  customerReplied,
  downgrade,
  downgraded,
  given,
  historyTo,
  infoRequested,
  open,
  opened,
  severityChanged,
  triage,
  triaged,
} from './gwt.js';

const PLANS: Plan[] = ['business', 'enterprise', 'frontline', 'elevated', '21vianet'];

describe('severity on open', () => {
  const cases: { category: Category; severity: Severity; plan: Plan; advancedAgreement?: boolean; accepted: boolean }[] = [
    // Severity A is for technical requests only...
    ...PLANS.filter((p) => p !== '21vianet').map((plan) => ({ category: 'technical' as const, severity: 'A' as const, plan, accepted: true })),
    { category: 'billing', severity: 'A', plan: 'enterprise', accepted: false },
    { category: 'presales', severity: 'A', plan: 'elevated', accepted: false },
    // ...billing and presales at most B...
    { category: 'billing', severity: 'B', plan: 'enterprise', accepted: true },
    { category: 'billing', severity: 'C', plan: 'business', accepted: true },
    { category: 'presales', severity: 'B', plan: 'frontline', accepted: true },
    { category: 'presales', severity: 'C', plan: '21vianet', accepted: true },
    // ...and on 21Vianet, A only with the advanced online service agreement.
    { category: 'technical', severity: 'A', plan: '21vianet', advancedAgreement: false, accepted: false },
    { category: 'technical', severity: 'A', plan: '21vianet', advancedAgreement: true, accepted: true },
    { category: 'technical', severity: 'B', plan: '21vianet', advancedAgreement: false, accepted: true },
    { category: 'technical', severity: 'C', plan: '21vianet', accepted: true },
    { category: 'billing', severity: 'A', plan: '21vianet', advancedAgreement: true, accepted: false },
  ];

  it.each(cases)('$category Sev $severity on $plan (agreement $advancedAgreement): accepted $accepted', ({ accepted, ...fields }) => {
    const when = given([]).when(open(fields));
    if (accepted) when.thenEvents([{ type: 'TicketOpened', data: { ...fields, advancedAgreement: fields.advancedAgreement ?? false } }]);
    else when.thenRejected('severity_not_allowed');
  });

  it('the advanced agreement defaults to absent', () => {
    given([]).when(open({ plan: '21vianet', severity: 'A' })).thenRejected('severity_not_allowed');
  });

  it('a policy may withhold severity A from a plan altogether', () => {
    const policy: DecisionPolicy = {
      ...defaultDecisionPolicy,
      severity: { ...defaultDecisionPolicy.severity, plansWithoutSeverityA: ['business'] },
    };
    given([]).when(open({ plan: 'business', severity: 'A' }), { policy }).thenRejected('severity_not_allowed');
    given([]).when(open({ plan: 'business', severity: 'A', advancedAgreement: true }), { policy }).thenRejected('severity_not_allowed');
    given([]).when(open({ plan: 'enterprise', severity: 'A' }), { policy }).thenEvents([{ type: 'TicketOpened' }]);
  });

  it('the category limit is the policy’s: one that caps billing at C refuses billing B', () => {
    const policy: DecisionPolicy = {
      ...defaultDecisionPolicy,
      severity: { ...defaultDecisionPolicy.severity, highestByCategory: { technical: 'A', billing: 'C', presales: 'B' } },
    };
    given([]).when(open({ category: 'billing', severity: 'B' }), { policy }).thenRejected('severity_not_allowed');
    given([]).when(open({ category: 'billing', severity: 'C' }), { policy }).thenEvents([{ type: 'TicketOpened' }]);
  });

  it('authorization is checked before severity', () => {
    given([]).when(open({ actor: { id: 'u', role: 'customer-user', tenant: 'contoso' }, category: 'billing', severity: 'A' })).thenRejected(
      'not_authorized',
    );
  });
});

describe('severity on triage', () => {
  it('an agent may raise a technical ticket to A', () => {
    given([opened()]).when(triage({ severity: 'A' })).thenEvents([{ type: 'TicketTriaged', data: { severity: 'A', category: 'technical' } }]);
  });

  it('keeps the ticket’s severity and category when the triage names neither', () => {
    given([opened({ category: 'presales', severity: 'C' })])
      .when(triage({ owner: 'agent-9' }))
      .thenEvents([{ type: 'TicketTriaged', data: { severity: 'C', category: 'presales', owner: 'agent-9' } }]);
  });

  it('may not raise a billing ticket to A', () => {
    given([opened({ category: 'billing', severity: 'B' })]).when(triage({ severity: 'A' })).thenRejected('severity_not_allowed');
  });

  it('may not recategorise a Sev A ticket as billing or presales while it keeps A', () => {
    const sevA = [opened({ severity: 'A' })];
    given(sevA).when(triage({ category: 'billing' })).thenRejected('severity_not_allowed');
    given(sevA).when(triage({ category: 'presales', severity: 'A' })).thenRejected('severity_not_allowed');
  });

  it('may recategorise a Sev A ticket as billing when it also lowers it to B', () => {
    given([opened({ severity: 'A' })])
      .when(triage({ category: 'billing', severity: 'B' }))
      .thenEvents([{ type: 'TicketTriaged', data: { category: 'billing', severity: 'B' } }]);
  });

  it('may recategorise a billing ticket as technical and raise it to A in one step', () => {
    given([opened({ category: 'billing', severity: 'B' })])
      .when(triage({ category: 'technical', severity: 'A' }))
      .thenEvents([{ type: 'TicketTriaged', data: { category: 'technical', severity: 'A' } }]);
  });

  it('on 21Vianet, A needs the agreement recorded at open', () => {
    given([opened({ plan: '21vianet' })]).when(triage({ severity: 'A' })).thenRejected('severity_not_allowed');
    given([opened({ plan: '21vianet', advancedAgreement: true })]).when(triage({ severity: 'A' })).thenEvents([{ type: 'TicketTriaged' }]);
  });

  it('the same limits apply when a reopened ticket is triaged again', () => {
    const reopenedBilling = [opened({ category: 'billing' }), ...historyTo('reopened').slice(1)];
    given(reopenedBilling).when(triage({ severity: 'A', category: 'billing' })).thenRejected('severity_not_allowed');
  });
});

describe('change-severity', () => {
  it('an agent raises a technical ticket from B to A, recording both', () => {
    given(historyTo('triaged'))
      .when(changeSeverity({ severity: 'A', reason: 'whole tenant affected' }))
      .thenEvents([{ type: 'SeverityChanged', data: { from: 'B', to: 'A', reason: 'whole tenant affected' } }])
      .andStatus('triaged');
  });

  it('must raise the severity: the same severity is refused', () => {
    const rejection = given(historyTo('triaged')).when(changeSeverity({ severity: 'B' })).thenRejected('validation_failed');
    expect(rejection).toMatchObject({ issues: [{ path: ['severity'] }] });
  });

  it('may not lower the severity: that is a downgrade, with its own rules and count', () => {
    const rejection = given(historyTo('triaged')).when(changeSeverity({ severity: 'C' })).thenRejected('validation_failed');
    expect(rejection).toMatchObject({ issues: [{ path: ['severity'] }] });
  });

  it('respects the category limit: a billing ticket cannot become A', () => {
    given([opened({ category: 'billing' }), triaged({ category: 'billing' })]).when(changeSeverity({ severity: 'A' })).thenRejected('severity_not_allowed');
  });

  it('reads the category as triage left it, not as opened', () => {
    const recategorised = [opened({ category: 'billing' }), triaged({ category: 'technical', severity: 'B' })];
    given(recategorised).when(changeSeverity({ severity: 'A' })).thenEvents([{ type: 'SeverityChanged', data: { from: 'B', to: 'A' } }]);
  });

  it('respects the 21Vianet agreement', () => {
    given([opened({ plan: '21vianet' }), triaged()]).when(changeSeverity({ severity: 'A' })).thenRejected('severity_not_allowed');
  });

  it('records the severity the ticket had after earlier changes', () => {
    given([opened({ severity: 'C' }), triaged({ severity: 'C' }), severityChanged({ from: 'C', to: 'B' })])
      .when(changeSeverity({ severity: 'A' }))
      .thenEvents([{ type: 'SeverityChanged', data: { from: 'B', to: 'A' } }]);
  });
});

describe('downgrade', () => {
  const awaitingWith = (severity: Severity) => [opened({ severity }), triaged({ severity }), infoRequested()];

  it('drops A to B', () => {
    const { state } = given(awaitingWith('A'))
      .when(downgrade())
      .thenEvents([{ type: 'TicketDowngraded', data: { from: 'A', to: 'B' } }])
      .andStatus('downgraded');
    expect(state.ticket).toMatchObject({ severity: 'B', downgradeCount: 1 });
  });

  it('drops B to C', () => {
    given(awaitingWith('B')).when(downgrade()).thenEvents([{ type: 'TicketDowngraded', data: { from: 'B', to: 'C' } }]).andStatus('downgraded');
  });

  it('never goes below C', () => {
    given(awaitingWith('C')).when(downgrade()).thenRejected('severity_not_allowed');
  });

  it('is possible again after the customer replied and was asked again, one level at a time', () => {
    const history = [...awaitingWith('A'), downgraded({ from: 'A', to: 'B' }), customerReplied(), infoRequested()];
    const { state } = given(history).when(downgrade()).thenEvents([{ type: 'TicketDowngraded', data: { from: 'B', to: 'C' } }]);
    expect(state.ticket?.downgradeCount).toBe(2);
    given([...history, downgraded({ from: 'B', to: 'C' }), customerReplied(), infoRequested()]).when(downgrade()).thenRejected('severity_not_allowed');
  });

  it('only from awaitingCustomer', () => {
    for (const state of ['opened', 'triaged', 'downgraded', 'resolved', 'closed', 'reopened'] as const) {
      given(historyTo(state)).when(downgrade()).thenRejected('invalid_transition', { state });
    }
  });

  it('needs a reason', () => {
    const rejection = given(awaitingWith('B')).whenRaw({ ...downgrade(), reason: '  ' }).thenRejected('validation_failed');
    expect(rejection).toMatchObject({ issues: [{ path: ['reason'] }] });
  });
});
