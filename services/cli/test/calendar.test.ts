/**
 * `caseflow calendar add` and `caseflow calendar between`: business-calendar arithmetic on a
 * calendar given inline or as a file. November 2026: Friday the 20th, Monday the 23rd; New York
 * is on EST (UTC−5) from 1 November, Berlin on CET (UTC+1), Tokyo on JST (UTC+9).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { cli, removeTempDirs } from './helpers.js';
import type { CalendarJson } from './sla-helpers.js';
import { NEW_YORK, caseflowBinary, expectBadInput, officeCalendar, printed, tempFile, withValueAt } from './sla-helpers.js';

afterAll(removeTempDirs);

const inline = (calendar: unknown) => JSON.stringify(calendar);

/** Berlin's office hours with a lunch break from 12:00 to 13:00. */
const berlin = officeCalendar('Europe/Berlin', [
  ['09:00', '12:00'],
  ['13:00', '17:00'],
]);
/** New York's office hours, closed on Thanksgiving Thursday and the Friday after it. */
const thanksgiving = officeCalendar('America/New_York', [['09:00', '17:00']], { holidays: ['2026-11-26', '2026-11-27'] });

async function add(calendar: CalendarJson | string, from: string, duration: string, ...extra: string[]): Promise<string> {
  const value = typeof calendar === 'string' ? calendar : inline(calendar);
  return printed(await cli(['calendar', 'add', '--calendar', value, '--from', from, '--duration', duration, ...extra]));
}

async function between(calendar: CalendarJson | string, from: string, to: string, ...extra: string[]): Promise<string> {
  const value = typeof calendar === 'string' ? calendar : inline(calendar);
  return printed(await cli(['calendar', 'between', '--calendar', value, '--from', from, '--to', to, ...extra]));
}

describe('calendar add', () => {
  it('New York 09:00–17:00: Friday 16:00 local plus 8 working hours is Monday 16:00 local', async () => {
    // Friday 2026-11-20 16:00 EST = 21:00Z; Monday 2026-11-23 16:00 EST = 21:00Z.
    expect(await add(NEW_YORK, '2026-11-20T21:00:00Z', 'PT8H')).toBe('2026-11-23T21:00:00Z');
    // The same instant written with its local offset.
    expect(await add(NEW_YORK, '2026-11-20T16:00:00-05:00', 'PT8H')).toBe('2026-11-23T21:00:00Z');
  });

  it('counts from the next opening when --from is outside working hours, and ends at a closing time exactly', async () => {
    // Saturday: the first working hour is Monday 09:00–10:00 local.
    expect(await add(NEW_YORK, '2026-11-21T15:00:00Z', 'PT1H')).toBe('2026-11-23T15:00:00Z');
    // Friday 07:00 local + 8 h: the whole Friday, ending at 17:00 local, not on Monday.
    expect(await add(NEW_YORK, '2026-11-20T12:00:00Z', 'PT8H')).toBe('2026-11-20T22:00:00Z');
    // P1D is 24 working hours: three 8-hour days, Mon–Wed.
    expect(await add(NEW_YORK, '2026-11-23T14:00:00Z', 'P1D')).toBe('2026-11-25T22:00:00Z');
    // Zero working time ends where it starts, even outside working hours.
    expect(await add(NEW_YORK, '2026-11-21T15:00:00Z', 'PT0S')).toBe('2026-11-21T15:00:00Z');
  });

  it('uses the zone\'s local time across a daylight-saving change', async () => {
    // Friday 2026-10-30 16:00 EDT (20:00Z) + 8 h: Monday 2026-11-02 16:00 EST (21:00Z).
    expect(await add(NEW_YORK, '2026-10-30T20:00:00Z', 'PT8H')).toBe('2026-11-02T21:00:00Z');
  });

  it('skips a lunch break', async () => {
    // Monday 2026-11-23 11:00 CET (10:00Z) + 2 h: 11:00–12:00, then 13:00–14:00 CET.
    expect(await add(berlin, '2026-11-23T10:00:00Z', 'PT2H')).toBe('2026-11-23T13:00:00Z');
    // + 1 h ends at 12:00 CET, as the break begins, not after it.
    expect(await add(berlin, '2026-11-23T10:00:00Z', 'PT1H')).toBe('2026-11-23T11:00:00Z');
    // From inside the break: nothing counts until 13:00 CET.
    expect(await add(berlin, '2026-11-23T11:30:00Z', 'PT30M')).toBe('2026-11-23T12:30:00Z');
    // Friday 16:00 CET + 3 h: 1 h on Friday, then Monday 09:00–11:00 CET.
    expect(await add(berlin, '2026-11-20T15:00:00Z', 'PT3H')).toBe('2026-11-23T10:00:00Z');
  });

  it('skips holidays, which are dates in the calendar\'s zone', async () => {
    // Wednesday 2026-11-25 16:00 EST + 2 h: 1 h on Wednesday, Thursday and Friday are holidays, Monday 09:00–10:00.
    expect(await add(thanksgiving, '2026-11-25T21:00:00Z', 'PT2H')).toBe('2026-11-30T15:00:00Z');
    // Without the holidays the same sum ends on Thursday.
    expect(await add(NEW_YORK, '2026-11-25T21:00:00Z', 'PT2H')).toBe('2026-11-26T15:00:00Z');

    // Tokyo: Monday 2026-11-23 is a holiday there while it is still Sunday 2026-11-22 in UTC.
    const tokyo = officeCalendar('Asia/Tokyo', [['09:00', '17:00']], { holidays: ['2026-11-23'] });
    // 2026-11-22T23:30Z is Monday 08:30 JST: the first working hour is Tuesday 09:00–10:00 JST.
    expect(await add(tokyo, '2026-11-22T23:30:00Z', 'PT1H')).toBe('2026-11-24T01:00:00Z');
  });

  it('an override replaces a day\'s hours', async () => {
    const saturday = officeCalendar('America/New_York', [['09:00', '17:00']], { overrides: { '2026-11-21': [['10:00', '12:00']] } });
    // Friday 16:00 EST + 2 h: 1 h on Friday, then Saturday 10:00–11:00 EST.
    expect(await add(saturday, '2026-11-20T21:00:00Z', 'PT2H')).toBe('2026-11-21T16:00:00Z');
  });

  it('a day that ends at 24:00 runs to the next local midnight', async () => {
    const vianet = officeCalendar('Asia/Shanghai', [['09:00', '24:00']], {}, [['09:00', '24:00']]);
    // 2026-11-20 23:00 Shanghai (15:00Z) + 2 h: 1 h to midnight, then 09:00–10:00 Shanghai.
    expect(await add(vianet, '2026-11-20T15:00:00Z', 'PT2H')).toBe('2026-11-21T02:00:00Z');
    // 15 h from 09:00 Shanghai end at midnight (16:00Z), not on the next morning.
    expect(await add(vianet, '2026-11-21T01:00:00Z', 'PT15H')).toBe('2026-11-21T16:00:00Z');
  });

  it('--json prints from, duration and result', async () => {
    const text = await add(NEW_YORK, '2026-11-20T16:00:00-05:00', 'PT8H', '--json');
    expect(JSON.parse(text)).toEqual({ from: '2026-11-20T21:00:00Z', duration: 'PT8H', result: '2026-11-23T21:00:00Z' });
    // --json before the command is the same global option.
    const before = printed(
      await cli(['--json', 'calendar', 'add', '--calendar', inline(NEW_YORK), '--from', '2026-11-20T21:00:00Z', '--duration', 'PT30M']),
    );
    expect(JSON.parse(before)).toEqual({ from: '2026-11-20T21:00:00Z', duration: 'PT30M', result: '2026-11-20T21:30:00Z' });
  });
});

describe('calendar between', () => {
  it('counts the working time across a weekend as an ISO 8601 duration', async () => {
    // Friday 2026-11-20 09:00 EST to Thursday 2026-11-26 16:30 EST: 8 + 8 + 8 + 8 + 7.5 hours.
    expect(await between(NEW_YORK, '2026-11-20T14:00:00Z', '2026-11-26T21:30:00Z')).toBe('PT39H30M');
    // Friday 16:00 to Monday 10:00 local: one hour each side of the weekend.
    expect(await between(NEW_YORK, '2026-11-20T21:00:00Z', '2026-11-23T15:00:00Z')).toBe('PT2H');
    // Over a weekend only.
    expect(await between(NEW_YORK, '2026-11-21T00:00:00Z', '2026-11-23T14:00:00Z')).toBe('PT0S');
    // --to before --from: nothing.
    expect(await between(NEW_YORK, '2026-11-26T21:30:00Z', '2026-11-20T14:00:00Z')).toBe('PT0S');
  });

  it('leaves out lunch breaks and holidays', async () => {
    expect(await between(berlin, '2026-11-23T08:00:00Z', '2026-11-23T16:00:00Z')).toBe('PT7H');
    expect(await between(berlin, '2026-11-23T11:15:00Z', '2026-11-23T11:45:00Z')).toBe('PT0S');
    // 11:30–14:00 CET: half an hour before the break, one after it.
    expect(await between(berlin, '2026-11-23T10:30:00Z', '2026-11-23T13:00:00Z')).toBe('PT1H30M');

    // Wednesday 09:00 EST to Monday 17:00 EST: Wednesday and Monday only.
    expect(await between(thanksgiving, '2026-11-25T14:00:00Z', '2026-11-30T22:00:00Z')).toBe('PT16H');
    expect(await between(NEW_YORK, '2026-11-25T14:00:00Z', '2026-11-30T22:00:00Z')).toBe('PT32H');
  });

  it('--json prints from, to, duration and milliseconds', async () => {
    const text = await between(NEW_YORK, '2026-11-20T09:00:00-05:00', '2026-11-26T21:30:00Z', '--json');
    expect(JSON.parse(text)).toEqual({
      from: '2026-11-20T14:00:00Z',
      to: '2026-11-26T21:30:00Z',
      duration: 'PT39H30M',
      milliseconds: 39.5 * 3_600_000,
    });
  });
});

describe('--calendar is a file or the JSON itself', () => {
  it('a file path gives the same answers as the inline JSON', async () => {
    const file = tempFile('new-york.json', NEW_YORK);
    expect(await add(file, '2026-11-20T21:00:00Z', 'PT8H')).toBe('2026-11-23T21:00:00Z');
    expect(await between(file, '2026-11-20T14:00:00Z', '2026-11-26T21:30:00Z')).toBe('PT39H30M');
    // Inline JSON may be pretty-printed and start with whitespace.
    const pretty = `\n  ${JSON.stringify(NEW_YORK, null, 2)}\n`;
    expect(await add(pretty, '2026-11-20T21:00:00Z', 'PT8H')).toBe('2026-11-23T21:00:00Z');
  });

  it('a file that holds a different calendar gives its answers, not New York\'s', async () => {
    const file = tempFile('tokyo.json', officeCalendar('Asia/Tokyo', [['09:00', '17:00']]));
    // Friday 2026-11-20 16:00 JST (07:00Z) + 8 h: Monday 16:00 JST.
    expect(await add(file, '2026-11-20T07:00:00Z', 'PT8H')).toBe('2026-11-23T07:00:00Z');
  });
});

describe('bad input exits 2 with one line and prints nothing', () => {
  const badCalendars: [string, unknown, RegExp][] = [
    ['an unknown zone', { ...NEW_YORK, zone: 'Mars/Olympus' }, /invalid calendar: zone: unknown IANA time zone "Mars\/Olympus"/],
    ['a time 25:00', withValueAt(NEW_YORK, ['hours', 'mon'], [['09:00', '25:00']]), /invalid calendar: hours\.mon\.0\.1: .*"25:00"/],
    [
      'overlapping intervals',
      withValueAt(NEW_YORK, ['hours', 'tue'], [
        ['09:00', '13:00'],
        ['12:00', '17:00'],
      ]),
      /invalid calendar: hours\.tue\.1: intervals must be in order and must not overlap/,
    ],
    ['an interval that ends before it starts', withValueAt(NEW_YORK, ['hours', 'wed'], [['17:00', '09:00']]), /invalid calendar: hours\.wed\.0: an interval must start before it ends/],
    ['no working time at all', officeCalendar('America/New_York', []), /invalid calendar: hours: the week has no working time at all/],
    ['a missing weekday', withValueAt(NEW_YORK, ['hours', 'sun'], undefined), /invalid calendar: hours\.sun: missing/],
    ['an unknown key', { ...NEW_YORK, timezone: 'UTC' }, /invalid calendar: timezone: unknown key/],
    ['a holiday that is no date', { ...NEW_YORK, holidays: ['2026-02-30'] }, /invalid calendar: holidays\.0: .*"2026-02-30"/],
  ];

  it.each(badCalendars)('calendar add and between refuse %s', async (_name, calendar, message) => {
    const value = inline(calendar);
    await expectBadInput(['calendar', 'add', '--calendar', value, '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H'], message);
    await expectBadInput(['calendar', 'between', '--calendar', value, '--from', '2026-11-20T14:00:00Z', '--to', '2026-11-26T21:30:00Z'], message);
    // The same calendar from a file.
    const file = tempFile('bad.json', calendar);
    await expectBadInput(['calendar', 'add', '--calendar', file, '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H'], message);
  });

  const ny = inline(NEW_YORK);

  it('an instant without an offset, or not a real one', async () => {
    const noOffset = /--from needs an ISO 8601 instant with Z or an offset, such as 2026-11-23T08:30:00Z, not "2026-11-20T16:00:00"/;
    await expectBadInput(['calendar', 'add', '--calendar', ny, '--from', '2026-11-20T16:00:00', '--duration', 'PT8H'], noOffset);
    await expectBadInput(['calendar', 'between', '--calendar', ny, '--from', '2026-11-20T16:00:00', '--to', '2026-11-26T21:30:00Z'], noOffset);
    await expectBadInput(
      ['calendar', 'between', '--calendar', ny, '--from', '2026-11-20T14:00:00Z', '--to', '2026-11-26'],
      /--to needs an ISO 8601 instant with Z or an offset.*not "2026-11-26"/,
    );
    await expectBadInput(['calendar', 'add', '--calendar', ny, '--from', '2026-02-30T16:00:00Z', '--duration', 'PT8H'], /--from needs .*not "2026-02-30T16:00:00Z"/);
  });

  it('a duration with months or years, or not a duration', async () => {
    const argv = (duration: string) => ['calendar', 'add', '--calendar', ny, '--from', '2026-11-20T21:00:00Z', '--duration', duration];
    await expectBadInput(argv('P1M'), /--duration needs an ISO 8601 duration without years or months.*not "P1M"/);
    await expectBadInput(argv('P1Y2D'), /--duration needs an ISO 8601 duration.*not "P1Y2D"/);
    await expectBadInput(argv('8h'), /--duration needs an ISO 8601 duration.*not "8h"/);
  });

  it('an unreadable file', async () => {
    const missing = `${tempFile('present.json', NEW_YORK)}.missing`;
    const line = await expectBadInput(
      ['calendar', 'add', '--calendar', missing, '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H'],
      /--calendar needs a calendar as JSON or a JSON file: .*ENOENT/,
    );
    expect(line).toContain(missing);
  });

  it('invalid JSON, inline or in a file', async () => {
    const invalid = /--calendar needs a calendar as JSON or a JSON file: /;
    await expectBadInput(['calendar', 'add', '--calendar', '{"zone": "UTC", ', '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H'], invalid);
    const file = tempFile('broken.json', '{"zone": "America/New_York", "hours": {');
    await expectBadInput(['calendar', 'between', '--calendar', file, '--from', '2026-11-20T14:00:00Z', '--to', '2026-11-26T21:30:00Z'], invalid);
  });

  it('a missing option is a usage error too', async () => {
    await expectBadInput(['calendar', 'add', '--calendar', ny, '--from', '2026-11-20T21:00:00Z'], /required option '--duration/);
    await expectBadInput(['calendar', 'between', '--from', '2026-11-20T21:00:00Z', '--to', '2026-11-26T21:30:00Z'], /required option '--calendar/);
  });
});

describe('the caseflow binary', () => {
  it('calendar add prints the instant and exits 0; a bad calendar exits 2 with one line', () => {
    const added = caseflowBinary('calendar', 'add', '--calendar', inline(NEW_YORK), '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H');
    expect(added).toEqual({ status: 0, stdout: '2026-11-23T21:00:00Z\n', stderr: '' });

    const refused = caseflowBinary('calendar', 'add', '--calendar', inline({ ...NEW_YORK, zone: 'Mars/Olympus' }), '--from', '2026-11-20T21:00:00Z', '--duration', 'PT8H');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/^caseflow: invalid calendar: zone: unknown IANA time zone "Mars\/Olympus"\n$/);
  });
});
