/**
 * Random but realistic ticket histories: a valid open, then a random run of agent, customer and
 * worker commands at increasing instants, each kept only if the domain's `decide` accepts it.
 */
import fc from 'fast-check';
import type { Actor } from '@caseflow/domain';
import { Category, Plan, Severity } from '@caseflow/domain';
import type { OpenFields } from './story.js';
import { DAY, HOUR, MINUTE, Story, actors } from './story.js';

type Attempt = Parameters<Story['attempt']>[0];

/** Opening fields the default availability rules accept. */
export const openFieldsArb: fc.Arbitrary<Required<OpenFields>> = fc
  .record({
    plan: fc.constantFrom(...Plan.options),
    region: fc.constantFrom('US', 'AU', 'CN', 'DE', 'TW', 'FR'),
    category: fc.constantFrom(...Category.options),
    severity: fc.constantFrom(...Severity.options),
    advancedAgreement: fc.boolean(),
  })
  .map((fields) => {
    const severity = fields.category !== 'technical' && fields.severity === 'A' ? 'B' : fields.severity;
    const advancedAgreement = fields.advancedAgreement || (fields.plan === '21vianet' && severity === 'A');
    return { ...fields, severity, advancedAgreement };
  });

/** Instants through 2026, DST changes included, to the minute. */
export const openedAtArb = fc.integer({ min: 0, max: 365 * 24 * 60 }).map((minutes) => new Date(Date.parse('2026-01-01T00:00:00Z') + minutes * MINUTE));

/** Mostly short gaps, some of days, a few beyond the windows (collaboration, auto-close, reopen). */
export const delayArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 120 }).map((m) => m * MINUTE) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => h * HOUR) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 20 }).map((d) => d * DAY) },
);

const stepArb: fc.Arbitrary<[Attempt, Actor]> = fc.oneof(
  fc.record({ severity: fc.option(fc.constantFrom(...Severity.options), { nil: undefined }) }).map(({ severity }): [Attempt, Actor] => [
    { type: 'triage', ...(severity === undefined ? {} : { severity }) },
    actors.agent,
  ]),
  fc.constant<[Attempt, Actor]>([{ type: 'request-info' }, actors.agent]),
  fc.constant<[Attempt, Actor]>([{ type: 'customer-reply' }, actors.customerAdmin]),
  fc.constant<[Attempt, Actor]>([{ type: 'downgrade', reason: 'no response' }, actors.service]),
  fc.constantFrom(...Severity.options).map((severity): [Attempt, Actor] => [{ type: 'change-severity', severity }, actors.supervisor]),
  fc.integer({ min: 1, max: 2 }).map((level): [Attempt, Actor] => [{ type: 'escalate', level, clock: 'initial-response' }, actors.service]),
  fc.constant<[Attempt, Actor]>([{ type: 'resolve', text: 'done' }, actors.agent]),
  fc.constantFrom('cancelled', 'confirmed').map((reason): [Attempt, Actor] => [{ type: 'close', reason }, actors.customerAdmin]),
  fc.constant<[Attempt, Actor]>([{ type: 'reopen' }, actors.customerAdmin]),
  fc.constant<[Attempt, Actor]>([{ type: 'note', text: 'update' }, actors.agent]),
);

export interface RandomTicket {
  story: Story;
  openedAt: Date;
  /** The last instant a step was tried at; the history may have ended earlier. */
  until: Date;
}

export const ticketArb: fc.Arbitrary<RandomTicket> = fc
  .record({
    fields: openFieldsArb,
    openedAt: openedAtArb,
    steps: fc.array(fc.tuple(stepArb, delayArb), { maxLength: 12 }),
  })
  .map(({ fields, openedAt, steps }) => {
    const story = new Story().open(fields, openedAt);
    let at = openedAt.getTime();
    for (const [[step, actor], delay] of steps) {
      at += delay;
      story.attempt(step, new Date(at), actor);
    }
    return { story, openedAt, until: new Date(at) };
  });
