import type { CalendarSpec } from '../src/calendar.js';

/** The issue's own calendar: a split Tuesday, a closed Wednesday, a Thursday to midnight and two holidays. */
export const ISSUE_CALENDAR = {
  zone: 'Europe/Berlin',
  hours: {
    mon: [['09:00', '17:00']],
    tue: [
      ['09:00', '12:00'],
      ['13:00', '17:00'],
    ],
    wed: [],
    thu: [['09:00', '24:00']],
    fri: [['09:00', '17:00']],
    sat: [],
    sun: [],
  },
  holidays: ['2026-12-25', '2026-12-26'],
} satisfies CalendarSpec;
