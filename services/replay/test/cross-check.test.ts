/**
 * The reports' figures against a direct recount of the generated histories: the recount below
 * reads the raw events with its own plain code (no ticket facts, no report code) and every figure
 * must agree exactly, through the read model and through a fresh replay, under the pinned policy
 * and under a what-if one.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GroupBy, Report, SlaComparison, SlaReport, SlaRow, StateRow, TicketFacts, TransitionRow } from '@caseflow/analytics';
import { renderReport, slaReport, statesReport, ticketFacts } from '@caseflow/analytics';
import type { LifecycleState, Plan, Severity, TicketEvent } from '@caseflow/domain';
import { LIFECYCLE_STATES, STATE_AFTER } from '@caseflow/domain';
import type { SqliteEventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { SlaPolicy } from '@caseflow/sla';
import { clocks, defaultPolicy, parsePolicy, policyLabel } from '@caseflow/sla';
import type { ReportSource } from '../src/index.js';
import { factsUnder, generateHistories, slaReportFor, statesReportFor, writeGeneratedLog } from '../src/index.js';
import { byTicket, scratchDirectory } from './support.js';

const DAY = 24 * 60 * 60 * 1000;

/** Arrivals from Thursday 26 February to Monday 2 March, follow-ups weeks later: two months of openings. */
const GENERATED = { tickets: 2_000, seed: 606, start: new Date('2026-02-26T00:00:00.000Z') };
/** Leaves out the first half day of arrivals and the latest follow-ups, whose refused reopens still count on tickets inside. */
const WINDOW = { from: new Date('2026-02-26T12:00:00.000Z'), to: new Date('2026-04-01T00:00:00.000Z') };

/** The reopen window of the default policy (P14D) and of the what-if (P30D), as the recount counts them. */
const PINNED_REOPEN_WINDOW_MS = 14 * DAY;
const WHAT_IF_REOPEN_WINDOW_MS = 30 * DAY;

/** The default policy, but enterprise technical B must be answered within an hour around the clock, and a closed ticket may be reopened for 30 days. */
function fastEnterprisePolicy(): SlaPolicy {
  const [initialResponse, ...otherClocks] = defaultPolicy.clocks;
  if (initialResponse === undefined) throw new Error('the default policy has no clock');
  const { enterprise } = initialResponse.targets;
  return parsePolicy({
    ...defaultPolicy,
    id: 'what-if-fast-enterprise',
    version: 1,
    reopenWindow: 'P30D',
    clocks: [
      {
        ...initialResponse,
        targets: { ...initialResponse.targets, enterprise: { ...enterprise, technical: { ...enterprise.technical, B: { within: 'PT1H', calendar: '24x7' } } } },
      },
      ...otherClocks,
    ],
  });
}
const WHAT_IF = fastEnterprisePolicy();

/** How the recount reads the log: under the pinned (default) policy, or under the what-if. */
const PINNED = { policy: defaultPolicy, reopenWindowMs: PINNED_REOPEN_WINDOW_MS };
const UNDER_WHAT_IF = { policy: WHAT_IF, reopenWindowMs: WHAT_IF_REOPEN_WINDOW_MS };

// ---------------------------------------------------------------------------------------------
// The recount: one pass over each ticket's raw events.
// ---------------------------------------------------------------------------------------------

interface RecountedStay {
  state: LifecycleState;
  severity: Severity;
  from: number;
  to: number | undefined;
}

/** One generated ticket, read straight from its events. */
interface Story {
  id: string;
  history: TicketEvent[];
  plan: Plan;
  /** As opened. */
  severity: Severity;
  openedAt: number;
  month: string;
  followUpOf: string | undefined;
  /** The first response of the first cycle: its first triage, if it came before any close. */
  respondedAt: number | undefined;
  closes: number[];
  reopens: number[];
  downgrades: number;
  escalationLevels: number[];
  stays: RecountedStay[];
}

const instant = (iso: string) => Date.parse(iso);

function storyOf(history: TicketEvent[]): Story {
  const [opened, ...rest] = history;
  if (opened?.type !== 'TicketOpened') throw new Error('a generated history starts with TicketOpened');
  let severity = opened.data.severity;
  let firstTriagedAt: number | undefined;
  const story: Story = {
    id: opened.ticketId,
    history,
    plan: opened.data.plan,
    severity,
    openedAt: instant(opened.occurredAt),
    month: opened.occurredAt.slice(0, 7),
    followUpOf: opened.data.followUpOf,
    respondedAt: undefined,
    closes: [],
    reopens: [],
    downgrades: 0,
    escalationLevels: [],
    stays: [{ state: 'opened', severity, from: instant(opened.occurredAt), to: undefined }],
  };
  for (const event of rest) {
    const at = instant(event.occurredAt);
    if (event.type === 'TicketTriaged') {
      severity = event.data.severity;
      firstTriagedAt ??= at;
    } else if (event.type === 'TicketDowngraded') {
      severity = event.data.to;
      story.downgrades += 1;
    } else if (event.type === 'SeverityChanged') {
      severity = event.data.to;
    } else if (event.type === 'TicketEscalated') {
      story.escalationLevels.push(event.data.level);
    } else if (event.type === 'TicketClosed') {
      story.closes.push(at);
    } else if (event.type === 'TicketReopened') {
      story.reopens.push(at);
    }
    const current = story.stays.at(-1) as RecountedStay;
    const next = STATE_AFTER[event.type];
    if (next !== undefined && next !== current.state) {
      current.to = at;
      story.stays.push({ state: next, severity, from: at, to: undefined });
    }
  }
  const [firstClose] = story.closes;
  if (firstTriagedAt !== undefined && (firstClose === undefined || firstTriagedAt < firstClose)) story.respondedAt = firstTriagedAt;
  return story;
}

const storiesOf = (log: readonly TicketEvent[]) => new Map([...byTicket(log)].map(([id, history]) => [id, storyOf(history)]));

type Outcome = 'met' | 'breached' | 'noCommitment' | 'pending' | 'stopped';

/**
 * The first response against the due instant of the policy's first clock (the only thing taken
 * from the SLA code): met when the first triage came by then, breached when it came later or
 * the ticket closed or was still waiting after it, stopped when closed before it unanswered.
 */
function firstResponse(story: Story, policy: SlaPolicy, asOf: Date): { outcome: Outcome; businessMs: number | null } {
  const name = policy.clocks[0]?.name;
  const clock = clocks(story.history, policy, asOf).find((c) => c.name === name && c.cycle === 0);
  if (clock === undefined) throw new Error(`ticket ${story.id} has no initial-response clock`);
  const businessMs = story.respondedAt === undefined ? null : clock.elapsedMs;
  if (clock.dueAt === null) return { outcome: 'noCommitment', businessMs };
  const due = clock.dueAt.getTime();
  const [firstClose] = story.closes;
  if (story.respondedAt !== undefined) {
    return { outcome: story.respondedAt <= due ? 'met' : 'breached', businessMs };
  }
  if (firstClose !== undefined) return { outcome: firstClose <= due ? 'stopped' : 'breached', businessMs };
  return { outcome: due <= asOf.getTime() ? 'breached' : 'pending', businessMs };
}

/** Nearest rank: the smallest value with at least p % of the values at or below it. */
function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1] ?? null;
}

interface Tally {
  tickets: number;
  outcomes: Record<Outcome, number>;
  responseMs: number[];
  awaitingCustomerMs: number;
  downgrades: number;
  reopens: number;
  reopensRefused: number;
  escalations: Record<string, number>;
}

const emptyTally = (): Tally => ({
  tickets: 0,
  outcomes: { met: 0, breached: 0, noCommitment: 0, pending: 0, stopped: 0 },
  responseMs: [],
  awaitingCustomerMs: 0,
  downgrades: 0,
  reopens: 0,
  reopensRefused: 0,
  escalations: {},
});

const rowOf = (group: string, tally: Tally): SlaRow => ({
  group,
  tickets: tally.tickets,
  ...tally.outcomes,
  responseMedianMs: nearestRank(tally.responseMs, 50),
  responseP90Ms: nearestRank(tally.responseMs, 90),
  awaitingCustomerMs: tally.awaitingCustomerMs,
  downgrades: tally.downgrades,
  reopens: tally.reopens,
  reopensRefused: tally.reopensRefused,
  escalations: tally.escalations,
});

const inWindow = (story: Story) => story.openedAt >= WINDOW.from.getTime() && story.openedAt < WINDOW.to.getTime();

function groupOf(story: Story, groupBy: GroupBy | undefined): string | undefined {
  if (groupBy === 'plan') return story.plan;
  if (groupBy === 'severity') return story.severity;
  if (groupBy === 'month') return story.month;
  if (groupBy === undefined) return undefined;
  throw new Error(`the recount does not group by ${groupBy}`);
}

const awaitingCustomerMs = (story: Story) =>
  story.stays
    .filter((stay) => (stay.state === 'awaitingCustomer' || stay.state === 'downgraded') && stay.to !== undefined)
    .reduce((sum, stay) => sum + ((stay.to as number) - stay.from), 0);

const lastAtOrBefore = (instants: readonly number[], limit: number) => Math.max(Number.NEGATIVE_INFINITY, ...instants.filter((at) => at <= limit));

/** Whether the follow-up had to be a new request: the ticket it follows was closed then, and had been for longer than the reopen window. */
function isRefusedReopen(original: Story, followUp: Story, reopenWindowMs: number): boolean {
  const lastClose = lastAtOrBefore(original.closes, followUp.openedAt);
  const closedThen = lastClose > lastAtOrBefore(original.reopens, followUp.openedAt);
  return closedThen && followUp.openedAt - lastClose > reopenWindowMs;
}

interface SlaRecount {
  policy: SlaPolicy;
  reopenWindowMs: number;
  groupBy?: GroupBy | undefined;
}

function recountSla(stories: Map<string, Story>, { policy, reopenWindowMs, groupBy }: SlaRecount): { rows: SlaRow[]; total: SlaRow } {
  const total = emptyTally();
  const groups = new Map<string, Tally>();
  const talliesOf = (story: Story): Tally[] => {
    const key = groupOf(story, groupBy);
    if (key === undefined) return [total];
    if (!groups.has(key)) groups.set(key, emptyTally());
    return [total, groups.get(key) as Tally];
  };
  for (const story of stories.values()) {
    if (!inWindow(story)) continue;
    const { outcome, businessMs } = firstResponse(story, policy, AS_OF);
    for (const tally of talliesOf(story)) {
      tally.tickets += 1;
      tally.outcomes[outcome] += 1;
      if (businessMs !== null) tally.responseMs.push(businessMs);
      tally.awaitingCustomerMs += awaitingCustomerMs(story);
      tally.downgrades += story.downgrades;
      tally.reopens += story.reopens.length;
      for (const level of story.escalationLevels) tally.escalations[String(level)] = (tally.escalations[String(level)] ?? 0) + 1;
    }
  }
  // Every follow-up counts, also one opened after the window, on the ticket it follows when that one is inside.
  for (const followUp of stories.values()) {
    const original = followUp.followUpOf === undefined ? undefined : stories.get(followUp.followUpOf);
    if (original === undefined || !inWindow(original) || !isRefusedReopen(original, followUp, reopenWindowMs)) continue;
    for (const tally of talliesOf(original)) tally.reopensRefused += 1;
  }
  const keys = [...groups.keys()].sort();
  return { rows: keys.map((key) => rowOf(key, groups.get(key) as Tally)), total: rowOf('all', total) };
}

function recountStates(stories: Map<string, Story>): { rows: StateRow[]; transitions: TransitionRow[] } {
  const lengths = new Map<string, number[]>();
  const flows = new Map<string, number>();
  for (const story of stories.values()) {
    if (!inWindow(story)) continue;
    story.stays.forEach((stay, index) => {
      const previous = story.stays[index - 1];
      if (previous !== undefined) flows.set(`${previous.state}>${stay.state}`, (flows.get(`${previous.state}>${stay.state}`) ?? 0) + 1);
      if (stay.to === undefined) return;
      const key = `${stay.state}/${stay.severity}`;
      lengths.set(key, [...(lengths.get(key) ?? []), stay.to - stay.from]);
    });
  }
  const rows: StateRow[] = [];
  const transitions: TransitionRow[] = [];
  for (const state of LIFECYCLE_STATES) {
    for (const severity of ['A', 'B', 'C'] as const) {
      const stays = lengths.get(`${state}/${severity}`) ?? [];
      if (stays.length > 0) rows.push({ state, severity, stays: stays.length, medianMs: nearestRank(stays, 50) as number, p90Ms: nearestRank(stays, 90) as number });
    }
    for (const to of LIFECYCLE_STATES) {
      const count = flows.get(`${state}>${to}`) ?? 0;
      if (count > 0) transitions.push({ from: state, to, count });
    }
  }
  return { rows, transitions };
}

// ---------------------------------------------------------------------------------------------

const log = [...generateHistories(GENERATED)];
const stories = storiesOf(log);
/** The reports' default "as of": the log's last event. */
const AS_OF = new Date((log.at(-1) as TicketEvent).occurredAt);

const dir = scratchDirectory('caseflow-cross-check-');
let store: SqliteEventStore;
let source: ReportSource;

beforeAll(async () => {
  const file = join(dir, 'caseflow.db');
  store = openSqliteEventStore(file);
  await writeGeneratedLog(store, GENERATED);
  source = { file, store, policies: [defaultPolicy] };
});

afterAll(() => store.close());

const slaFromReadModel = async (groupBy?: GroupBy) => (await slaReportFor(source, { ...WINDOW, ...(groupBy === undefined ? {} : { groupBy }) })) as SlaReport;

/** The SLA report over facts replayed here, as the read model's would be: each ticket under its pinned (the default) policy. */
const slaOver = (facts: TicketFacts[], groupBy?: GroupBy) =>
  slaReport(facts, { ...WINDOW, asOf: AS_OF, policy: 'pinned', reopenWindowMs: () => PINNED_REOPEN_WINDOW_MS, ...(groupBy === undefined ? {} : { groupBy }) });

describe('the generated log and its recount', () => {
  it('stores exactly the generated events', async () => {
    let stored = 0;
    for await (const _record of store.readAll()) stored += 1;
    expect(stored).toBe(log.length);
    expect(stories.size).toBe(GENERATED.tickets);
  });

  it('covers what the reports count: every outcome but pending, downgrades, reopens, refused reopens, two escalation levels, two months, tickets outside the window', () => {
    const { rows, total } = recountSla(stories, { ...PINNED, groupBy: 'month' });
    expect(rows.map((row) => row.group)).toEqual(['2026-02', '2026-03']);
    expect(total.tickets).toBeLessThan(GENERATED.tickets);
    expect(total).toMatchObject({ pending: 0, escalations: { '1': expect.any(Number), '2': expect.any(Number) } });
    for (const figure of ['met', 'breached', 'noCommitment', 'stopped', 'downgrades', 'reopens', 'reopensRefused', 'awaitingCustomerMs'] as const) {
      expect({ figure, counted: total[figure] > 0 }).toEqual({ figure, counted: true });
    }
    // Some follow-ups open after the window, of tickets inside it: their refused reopens count there.
    const lateFollowUps = [...stories.values()].filter((s) => {
      const original = s.followUpOf === undefined ? undefined : stories.get(s.followUpOf);
      return original !== undefined && inWindow(original) && s.openedAt >= WINDOW.to.getTime();
    });
    expect(lateFollowUps.length).toBeGreaterThan(0);
  });
});

describe('the SLA report agrees exactly with the recount', () => {
  it.each([
    ['nothing', undefined],
    ['plan', 'plan'],
    ['severity', 'severity'],
    ['month', 'month'],
  ] as const)('given the log in a store, when grouped by %s, then every figure of every group and the total equal the recount', async (_grouping, groupBy) => {
    const report = await slaFromReadModel(groupBy);

    const recounted = recountSla(stories, { ...PINNED, groupBy });
    expect(report).toMatchObject({ from: WINDOW.from.toISOString(), to: WINDOW.to.toISOString(), asOf: AS_OF.toISOString(), groupBy: groupBy ?? null, policy: 'pinned' });
    expect(report.total).toEqual(recounted.total);
    expect(report.rows).toEqual(recounted.rows);
  });
});

describe('the states report agrees exactly with the recount', () => {
  it('given the log in a store, then the completed stays per state and severity and every transition count equal the recount', async () => {
    const report = await statesReportFor(source, WINDOW);

    const recounted = recountStates(stories);
    expect(report.rows).toEqual(recounted.rows);
    expect(report.transitions).toEqual(recounted.transitions);
    expect(report.transitions.some(({ from, to }) => from === 'closed' && to === 'reopened')).toBe(true);
  });
});

describe('the read model gives the figures a fresh replay gives', () => {
  it('given facts replayed from the store or from the generated histories, then the SLA and states reports equal those from the read model', async () => {
    const fromStore = await factsUnder(store, defaultPolicy);
    const fromHistories = [...stories.values()].map((story) => ticketFacts(story.history, defaultPolicy));

    for (const groupBy of ['plan', 'month'] as const) {
      const viaReadModel = await slaFromReadModel(groupBy);
      expect(slaOver(fromStore, groupBy)).toEqual(viaReadModel);
      expect(slaOver(fromHistories, groupBy)).toEqual(viaReadModel);
    }
    expect(statesReport(fromStore, { ...WINDOW, asOf: AS_OF })).toEqual(await statesReportFor(source, WINDOW));
  });
});

describe('rendering', () => {
  const FORMATS = ['table', 'csv', 'json'] as const;
  const rendered = (report: Report) => FORMATS.map((format) => renderReport(report, format));

  it('given the same log, when every report is computed and rendered twice, then the text is byte-identical in every format', async () => {
    const twice = async () => [
      ...rendered(await slaFromReadModel('severity')),
      ...rendered(await statesReportFor(source, WINDOW)),
      ...rendered(await slaReportFor(source, { ...WINDOW, groupBy: 'plan', whatIf: WHAT_IF })),
    ];

    const [first, second] = [await twice(), await twice()];
    expect(second).toEqual(first);
    expect(first.every((text) => text.length > 0 && text.endsWith('\n'))).toBe(true);
  });
});

describe('a what-if policy', () => {
  it('given enterprise B due in an hour and a 30-day reopen window, then the what-if side equals a recount under that policy and the actual side is unchanged', async () => {
    const comparison = (await slaReportFor(source, { ...WINDOW, groupBy: 'plan', whatIf: WHAT_IF })) as SlaComparison;

    expect(comparison.kind).toBe('sla-what-if');
    expect(comparison.actual).toEqual(await slaFromReadModel('plan'));
    const recounted = recountSla(stories, { ...UNDER_WHAT_IF, groupBy: 'plan' });
    expect(comparison.whatIf).toMatchObject({ policy: policyLabel(WHAT_IF), groupBy: 'plan', asOf: AS_OF.toISOString() });
    expect(comparison.whatIf.total).toEqual(recounted.total);
    expect(comparison.whatIf.rows).toEqual(recounted.rows);
  });

  it('breaches more enterprise first responses, no other plan’s, and refuses fewer reopens', async () => {
    const { actual, whatIf } = (await slaReportFor(source, { ...WINDOW, groupBy: 'plan', whatIf: WHAT_IF })) as SlaComparison;
    const row = (report: SlaReport, plan: string) => report.rows.find((r) => r.group === plan) as SlaRow;

    expect(row(whatIf, 'enterprise').breached).toBeGreaterThan(row(actual, 'enterprise').breached);
    expect(row(whatIf, 'enterprise').met).toBeLessThan(row(actual, 'enterprise').met);
    for (const plan of ['business', 'frontline', 'elevated', '21vianet']) {
      const outcomes = (r: SlaRow) => [r.met, r.breached, r.noCommitment, r.stopped];
      expect({ plan, outcomes: outcomes(row(whatIf, plan)) }).toEqual({ plan, outcomes: outcomes(row(actual, plan)) });
    }
    expect(whatIf.total.reopensRefused).toBeLessThan(actual.total.reopensRefused);
    expect(whatIf.total.reopensRefused).toBeGreaterThan(0);
  });
});
