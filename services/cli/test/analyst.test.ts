/**
 * The analyst's commands end to end, in-process over a real store: a generated log, its read
 * model rebuilt, reports in every format (and as charts), a ticket replayed as of an instant, and
 * the exports. Bad input is refused in one line, before anything is written.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SlaComparison, SlaReport, StatesReport, TicketFacts } from '@caseflow/analytics';
import { openSqliteFile } from '@caseflow/sqlite';
import type { TicketTimeline } from '@caseflow/replay';
import { EVENT_CSV_COLUMNS, TICKET_CSV_COLUMNS } from '@caseflow/replay';
import { defaultPolicy } from '@caseflow/sla';
import type { Ran } from './helpers.js';
import { cli, countEvents, inStore, removeTempDirs, storeFileIn, tempDir } from './helpers.js';

const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-04-01T00:00:00Z';

const dir = tempDir('caseflow-analyst-');
const caseflow = inStore(dir);
const file = (name: string) => join(dir, name);

/** The generated tickets as `export tickets --format ndjson` gives them: their facts and current state. */
type ExportedTicket = TicketFacts & { state: string };
let tickets: ExportedTicket[];
let events: number;

beforeAll(async () => {
  const generated = await caseflow('dev', 'generate', '--tickets', '300', '--seed', '3');
  expect({ code: generated.code, err: generated.err }).toEqual({ code: 0, err: [] });
  events = await countEvents(dir);
  tickets = ndjson<ExportedTicket>(ok(await caseflow('export', 'tickets', '--format', 'ndjson')));
});
afterAll(removeTempDirs);

/** A command that must succeed without a word on stderr; its stdout. */
function ok(ran: Ran): string {
  expect({ code: ran.code, err: ran.err }).toEqual({ code: 0, err: [] });
  return ran.stdout;
}

const ndjson = <T>(text: string): T[] => text.split('\n').map((line) => JSON.parse(line) as T);
const csvLines = (text: string) => text.split('\n');

const reportArgs = (kind: 'sla' | 'states', ...more: string[]) => ['report', kind, '--from', FROM, '--to', TO, ...more];

describe('caseflow replay rebuild', () => {
  it('given a generated log, rebuilds the read model into a new generation, says which, and does it again on a second run', async () => {
    const first = await caseflow('replay', 'rebuild');

    expect(first.code).toBe(0);
    const rebuilt = /^rebuilt generation (\d+) from (\d+) events, (\d+) tickets; it is live \(it replaced generation (\d+)\)$/;
    const [, generation, eventCount, ticketCount] = rebuilt.exec(first.stdout) ?? [];
    expect({ eventCount: Number(eventCount), ticketCount: Number(ticketCount) }).toEqual({ eventCount: events, ticketCount: 300 });

    const second = await caseflow('replay', 'rebuild');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(rebuilt);
    expect(rebuilt.exec(second.stdout)?.slice(1)).toEqual([String(Number(generation) + 1), String(events), '300', generation]);
  });

  it('when stderr is not a terminal, reports its progress as plain lines on stderr, the last one complete', async () => {
    const ran = await caseflow('replay', 'rebuild');

    expect(ran.code).toBe(0);
    expect(ran.err.length).toBeGreaterThan(0);
    for (const line of ran.err) expect(line).toMatch(new RegExp(`^rebuild: generation \\d+: \\d+ of ${events} events, \\d+ tickets$`));
    expect(ran.err.at(-1)).toMatch(new RegExp(`: ${events} of ${events} events, 300 tickets$`));
  });
});

describe('caseflow report sla', () => {
  it('prints a table grouped by plan, with a row per plan and the total', async () => {
    const table = ok(await caseflow(...reportArgs('sla', '--group-by', 'plan')));

    const [title, , headings] = table.split('\n');
    expect(title).toMatch(/^SLA report · tickets opened from 2026-01-01T00:00:00.000Z, before 2026-04-01T00:00:00.000Z · as of .+ · policy pinned · by plan$/);
    expect(headings).toMatch(/^plan +tickets +met +breached/);
    for (const plan of ['business', 'enterprise', 'frontline', 'elevated', '21vianet', 'all']) expect(table).toMatch(new RegExp(`^${plan} `, 'm'));
  });

  it('prints CSV with a header row, a row per plan and the total last', async () => {
    const lines = csvLines(ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--format', 'csv'))));

    expect(lines[0]).toMatch(/^group,tickets,met,breached,no_commitment,pending,stopped,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['21vianet', 'business', 'elevated', 'enterprise', 'frontline', 'all']);
    expect(lines.at(-1)?.split(',')[1]).toBe('300');
  });

  it('prints JSON whose figures cover every ticket opened in the window, byte for byte the same on a second run', async () => {
    const first = ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--format', 'json')));
    const second = ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--format', 'json')));

    expect(second).toBe(first);
    const report = JSON.parse(first) as SlaReport;
    expect(report).toMatchObject({ kind: 'sla', groupBy: 'plan', policy: 'pinned', from: '2026-01-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' });
    expect(report.total.tickets).toBe(tickets.length);
    expect(report.rows.reduce((sum, row) => sum + row.tickets, 0)).toBe(tickets.length);
    const outcomes = report.total.met + report.total.breached + report.total.noCommitment + report.total.pending + report.total.stopped;
    expect(outcomes).toBe(tickets.length);
  });

  it('with --policy, sets the what-if figures beside the actual ones', async () => {
    writeFileSync(file('what-if.json'), JSON.stringify({ ...defaultPolicy, id: 'what-if', reopenWindow: 'P30D' }));
    const actual = JSON.parse(ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--format', 'json')))) as SlaReport;

    const ran = await caseflow(...reportArgs('sla', '--group-by', 'plan', '--format', 'json', '--policy', file('what-if.json')));

    const comparison = JSON.parse(ok(ran)) as SlaComparison;
    expect(comparison.kind).toBe('sla-what-if');
    expect(comparison.actual).toEqual(actual);
    expect(comparison.whatIf).toMatchObject({ policy: 'what-if@1', groupBy: 'plan', asOf: actual.asOf });
    expect(comparison.whatIf.total.tickets).toBe(actual.total.tickets);
    // A longer reopen window refuses no more reopens than the actual one.
    expect(comparison.whatIf.total.reopensRefused).toBeLessThanOrEqual(actual.total.reopensRefused);
    const table = ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--policy', file('what-if.json'))));
    expect(table.split('\n')[0]).toMatch(/^SLA what-if · .* · policy pinned → what-if@1 · by plan$/);
  });

  it('with --chart, also draws the breach rate as an SVG file', async () => {
    ok(await caseflow(...reportArgs('sla', '--group-by', 'plan', '--chart', file('sla.svg'))));

    expect(readFileSync(file('sla.svg'), 'utf8').startsWith('<svg')).toBe(true);
  });

  it('with --output, writes the report to the file and nothing to stdout', async () => {
    const printed = ok(await caseflow(...reportArgs('sla', '--format', 'csv')));

    expect(ok(await caseflow(...reportArgs('sla', '--format', 'csv', '--output', file('sla.csv'))))).toBe('');
    expect(readFileSync(file('sla.csv'), 'utf8')).toBe(`${printed}\n`);
  });
});

describe('caseflow report states', () => {
  it('prints JSON with the stays and the transitions of the tickets in the window, and draws the flow with --chart', async () => {
    const report = JSON.parse(ok(await caseflow(...reportArgs('states', '--format', 'json', '--chart', file('states.svg'))))) as StatesReport;

    expect(report.kind).toBe('states');
    const opened = report.transitions.filter((t) => t.from === 'opened').reduce((sum, t) => sum + t.count, 0);
    expect(opened).toBe(tickets.filter((t) => t.stays.length > 1).length);
    expect(report.rows.length).toBeGreaterThan(0);
    expect(readFileSync(file('states.svg'), 'utf8').startsWith('<svg')).toBe(true);
  });
});

describe('caseflow replay ticket', () => {
  /** A ticket that went through a few states, and an instant half way through its life. */
  const busyTicket = () => {
    const ticket = tickets.find((t) => t.stays.length >= 5) as ExportedTicket;
    const middle = new Date((Date.parse(ticket.openedAt) + Date.parse(ticket.lastEventAt)) / 2).toISOString();
    return { ticket, middle };
  };

  it('prints the timeline of a ticket: one step per event of its stream', async () => {
    const { ticket } = busyTicket();
    const exported = ndjson<{ ticketId: string }>(ok(await caseflow('export', 'events'))).filter((e) => e.ticketId === ticket.ticketId);

    const table = ok(await caseflow('replay', 'ticket', ticket.ticketId));
    const timeline = JSON.parse(ok(await caseflow('--json', 'replay', 'ticket', ticket.ticketId))) as TicketTimeline;

    expect(table.split('\n')[0]).toMatch(new RegExp(`^ticket ${ticket.ticketId}  `));
    expect(timeline.steps).toHaveLength(exported.length);
    expect(timeline.steps.at(-1)?.state).toBe(ticket.state);
    expect(timeline.asOf).toBeNull();
  });

  it('with --at, stops at that instant and shows the ticket as it stood then', async () => {
    const { ticket, middle } = busyTicket();
    const whole = JSON.parse(ok(await caseflow('--json', 'replay', 'ticket', ticket.ticketId))) as TicketTimeline;

    const cut = JSON.parse(ok(await caseflow('--json', 'replay', 'ticket', ticket.ticketId, '--at', middle))) as TicketTimeline;

    const happened = whole.steps.filter((step) => Date.parse(step.occurredAt) <= Date.parse(middle));
    expect(cut.steps).toEqual(happened);
    expect(cut.steps.length).toBeLessThan(whole.steps.length);
    expect(cut.asOf).toMatchObject({ at: middle, revision: happened.at(-1)?.revision, state: happened.at(-1)?.state });
    expect(ok(await caseflow('replay', 'ticket', ticket.ticketId, '--at', middle))).toMatch(/^as of .+ \(revision \d+\): /m);
  });

  it('refuses a ticket the log does not hold: exit 2, one line', async () => {
    const ran = await caseflow('replay', 'ticket', 'no-such-ticket');

    expect({ code: ran.code, out: ran.out }).toEqual({ code: 2, out: [] });
    expect(ran.err).toEqual([`caseflow: no ticket no-such-ticket in ${storeFileIn(dir)}`]);
  });
});

describe('caseflow export', () => {
  it('exports every stored event as one NDJSON line each, and as CSV under a header row', async () => {
    const lines = ok(await caseflow('export', 'events', '--format', 'ndjson')).split('\n');
    const csv = ok(await caseflow('export', 'events', '--format', 'csv'));

    expect(lines).toHaveLength(events);
    expect(lines.every((line) => typeof (JSON.parse(line) as { type: unknown }).type === 'string')).toBe(true);
    expect(csvLines(csv)[0]).toBe(EVENT_CSV_COLUMNS.join(','));
    expect(csvLines(csv)[1]).toMatch(/^\d+,/);
  });

  it('exports as CSV only the tickets opened from --from and before --to', async () => {
    const byOpening = [...tickets].sort((a, b) => Date.parse(a.openedAt) - Date.parse(b.openedAt));
    const [from, to] = [byOpening[100]?.openedAt as string, byOpening[200]?.openedAt as string];

    const lines = csvLines(ok(await caseflow('export', 'tickets', '--format', 'csv', '--from', from, '--to', to)));

    expect(lines[0]).toBe(TICKET_CSV_COLUMNS.join(','));
    // Neither ids nor the fields before opened_at hold a comma, so they split plainly.
    const rows = lines.slice(1).map((line) => line.split(','));
    const openedAt = TICKET_CSV_COLUMNS.indexOf('opened_at');
    expect(rows.map((row) => row[0]).sort()).toEqual(byOpening.slice(100, 200).map((t) => t.ticketId).sort());
    expect(rows.every((row) => (row[openedAt] as string) >= from && (row[openedAt] as string) < to)).toBe(true);
  });

  it('with --output, writes the export to the file and nothing to stdout', async () => {
    const printed = ok(await caseflow('export', 'events'));

    expect(ok(await caseflow('export', 'events', '--output', file('events.ndjson')))).toBe('');
    expect(readFileSync(file('events.ndjson'), 'utf8')).toBe(`${printed}\n`);
  });
});

/** The read model's catalogue of generations and every table in the file: what a command that writes nothing leaves as it was. */
function catalogue(): unknown {
  const { db } = openSqliteFile(storeFileIn(dir));
  try {
    return {
      tables: db.prepare('SELECT name FROM sqlite_master ORDER BY name').all(),
      generations: db.prepare('SELECT * FROM ticket_list_generations ORDER BY generation').all(),
    };
  } finally {
    db.close();
  }
}

describe('bad input: exit 2, one clear line, nothing written', () => {
  beforeAll(() => {
    writeFileSync(file('invalid-policy.json'), JSON.stringify({ ...defaultPolicy, reopenWindow: 'a fortnight', warningThreshold: 2 }));
  });

  it.each([
    ['report sla without --from', ['report', 'sla', '--to', TO], /^caseflow: required option '--from <instant>' not specified/],
    ['--from after --to', ['report', 'sla', '--from', TO, '--to', FROM], /^caseflow: --from \(2026-04-01T00:00:00Z\) must be before --to \(2026-01-01T00:00:00Z\)$/],
    ['--group-by colour', reportArgs('sla', '--group-by', 'colour', '--output', file('never-written')), /^caseflow: option '--group-by <key>' argument 'colour' is invalid/],
    ['--format xml', reportArgs('states', '--format', 'xml'), /^caseflow: option '--format <format>' argument 'xml' is invalid/],
    ['--policy missing-file.json', reportArgs('sla', '--policy', 'missing-file.json', '--output', file('never-written'), '--chart', file('never-written')), /^caseflow: cannot read the SLA policy missing-file\.json/],
    ['--policy with an invalid policy', reportArgs('sla', '--policy', file('invalid-policy.json')), /^caseflow: .*invalid-policy\.json: (?=.*reopenWindow: )(?=.*warningThreshold: )/],
    ['replay rebuild --from abc', ['replay', 'rebuild', '--from', 'abc'], /^caseflow: --from needs a log position \(a whole number\), not "abc"$/],
    ['export events --from not-a-date', ['export', 'events', '--from', 'not-a-date', '--output', file('never-written')], /^caseflow: --from needs an ISO 8601 instant/],
    ['replay ticket x --at yesterday', ['replay', 'ticket', 'x', '--at', 'yesterday'], /^caseflow: --at needs an ISO 8601 instant/],
    [
      '--chart of a window without tickets (the report is not written either)',
      ['report', 'states', '--from', '2030-01-01T00:00:00Z', '--to', '2030-02-01T00:00:00Z', '--output', file('never-written'), '--chart', file('never-written')],
      /^caseflow: no tickets opened between 2030-01-01T00:00:00.000Z and 2030-02-01T00:00:00.000Z$/,
    ],
  ])('%s', async (_case, argv, message) => {
    const [eventsBefore, catalogueBefore] = [await countEvents(dir), catalogue()];

    const ran = await caseflow(...argv);

    expect({ code: ran.code, out: ran.out, lines: ran.err.length }).toEqual({ code: 2, out: [], lines: 1 });
    expect(ran.err[0]).toMatch(message);
    expect(ran.err[0]).not.toContain('\n');
    expect(await countEvents(dir)).toBe(eventsBefore);
    expect(catalogue()).toEqual(catalogueBefore);
    expect(existsSync(file('never-written'))).toBe(false);
  });
});


describe('a --data directory without a store', () => {
  it.each([
    ['replay', 'ticket', 'x'],
    ['replay', 'rebuild'],
    reportArgs('sla'),
    reportArgs('states'),
    ['export', 'events'],
    ['export', 'tickets'],
  ])('%s %s: refused in one line, and no store is created there', async (...argv) => {
    const missing = join(tempDir('caseflow-analyst-empty-'), 'typo');

    const ran = await cli(['--data', missing, ...argv]);

    expect({ code: ran.code, out: ran.out }).toEqual({ code: 2, out: [] });
    expect(ran.err).toEqual([`caseflow: no caseflow store at ${storeFileIn(missing)}: check --data`]);
    expect(existsSync(missing)).toBe(false);
  });
});
