// Business-calendar deadlines per second: add(from, duration) over a mix of calendars (Berlin
// with a lunch break, New York 9–17, Sydney 9–18, 21Vianet 09–24 every day, Office 365 Germany
// billing with the 2026 public holidays) and durations of a minute up to three business weeks,
// from instants all through 2026 (so across every DST change of the year). The raw baseline is the
// obvious implementation, stepping one minute at a time and asking luxon whether the minute is
// working time; being slow, it runs on fewer samples. Every deadline both compute must agree.
// Goal: >= 100,000 deadlines/s.
// Usage: node bench/calendar.mjs [--deadlines 200000] [--naive 30] [--rounds 3]
import { DateTime } from 'luxon';
import { compileCalendar } from '@caseflow/sla';
import { arg, median, report, timed } from './lib.mjs';

const deadlines = arg('deadlines', 200_000);
const naiveDeadlines = arg('naive', 30);
const rounds = arg('rounds', 3);
const GOAL = 100_000;

const MINUTE = 60_000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const week = (weekdays, weekend = []) => ({ mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: weekend, sun: weekend });

const SPECS = [
  { zone: 'Europe/Berlin', hours: week([['09:00', '12:00'], ['13:00', '17:00']]) },
  { zone: 'America/New_York', hours: week([['09:00', '17:00']]) },
  { zone: 'Australia/Sydney', hours: week([['09:00', '18:00']]) },
  { zone: 'Asia/Shanghai', hours: week([['09:00', '24:00']], [['09:00', '24:00']]) },
  {
    zone: 'Europe/Berlin',
    hours: week([['09:00', '17:00']]),
    holidays: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-05-14', '2026-05-25', '2026-10-03', '2026-12-25', '2026-12-26'],
    overrides: { '2026-12-24': [['09:00', '12:00']], '2026-12-31': [['09:00', '12:00']] },
  },
];
const calendars = SPECS.map((spec) => compileCalendar(spec));

// A fixed seed, so that every run measures the same deadlines.
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(2026);
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR_MINUTES = 365 * 24 * 60;
// To the minute, as the baseline counts in whole minutes.
const samples = Array.from({ length: deadlines }, () => {
  const calendar = Math.floor(random() * calendars.length);
  const threeWeeksMinutes = (15 * calendars[calendar].businessDayMs) / MINUTE;
  return {
    calendar,
    from: YEAR_START + Math.floor(random() * YEAR_MINUTES) * MINUTE,
    ms: (1 + Math.floor(random() * threeWeeksMinutes)) * MINUTE,
  };
});

function ours() {
  const results = new Float64Array(samples.length);
  const run = timed(() => {
    for (let i = 0; i < samples.length; i++) {
      const { calendar, from, ms } = samples[i];
      results[i] = calendars[calendar].add(new Date(from), ms).getTime();
    }
    return samples.length;
  });
  return run.then((result) => ({ ...result, results }));
}

// ---- the baseline ----

const minutesOf = (time) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const naiveCalendars = SPECS.map((spec) => ({
  zone: spec.zone,
  hours: WEEKDAYS.map((day) => spec.hours[day].map(([start, end]) => [minutesOf(start), minutesOf(end)])),
  holidays: new Set(spec.holidays ?? []),
  overrides: new Map(Object.entries(spec.overrides ?? {}).map(([date, hours]) => [date, hours.map(([start, end]) => [minutesOf(start), minutesOf(end)])])),
}));

function isWorkingMinute(calendar, instant) {
  const local = DateTime.fromMillis(instant, { zone: calendar.zone });
  const date = local.toISODate();
  const hours = calendar.overrides.get(date) ?? (calendar.holidays.has(date) ? [] : calendar.hours[local.weekday - 1]);
  const minute = local.hour * 60 + local.minute;
  return hours.some(([start, end]) => start <= minute && minute < end);
}

function naiveAdd(calendar, from, ms) {
  let remaining = ms;
  let instant = from;
  while (remaining > 0) {
    if (isWorkingMinute(calendar, instant)) remaining -= MINUTE;
    instant += MINUTE;
  }
  return instant;
}

function naive(first, expected) {
  const chosen = samples.slice(first, first + naiveDeadlines);
  return timed(() => {
    chosen.forEach(({ calendar, from, ms }, i) => {
      const deadline = naiveAdd(naiveCalendars[calendar], from, ms);
      const ourDeadline = expected[first + i];
      if (Math.abs(deadline - ourDeadline) >= MINUTE) {
        const zone = SPECS[calendar].zone;
        const show = (instant) => DateTime.fromMillis(instant, { zone }).toISO();
        console.error(`DISAGREEMENT on calendar ${calendar} (${zone}): add(${show(from)}, ${ms / MINUTE} min)`);
        console.error(`  caseflow: ${show(ourDeadline)}\n  naive:    ${show(deadline)}`);
        process.exit(1);
      }
    });
    return chosen.length;
  });
}

// One discarded round of ours first, so that it is measured warm (JIT, and each zone's offsets
// looked up once: a fresh calendar does that on its first use of each year).
const { results } = await ours();
const ourRates = [];
const naiveRates = [];
for (let round = 0; round < rounds; round++) {
  ourRates.push((await ours()).rate);
  naiveRates.push((await naive(round * naiveDeadlines, results)).rate);
}
console.log(
  `${deadlines.toLocaleString('en-US')} deadlines per round (${naiveDeadlines} for the baseline, all agreeing), ${rounds} rounds, ${calendars.length} calendars, medians:`,
);
report('Business-calendar deadlines vs stepping minute by minute with luxon', 'deadlines/s', median(ourRates), median(naiveRates), 1000);
const rate = median(ourRates);
console.log(`  goal:     >= ${GOAL.toLocaleString('en-US')} deadlines/s ${rate >= GOAL ? 'MET' : 'NOT MET'}`);
