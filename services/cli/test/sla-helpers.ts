/**
 * Helpers for the tests of `caseflow calendar ...` and `caseflow sla ...`: calendars as JSON,
 * files in temp directories, the answer of `sla due`, the shape of a usage error, edits of a
 * policy's JSON by path, and the real binary run as a process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';
import type { Ran } from './helpers.js';
import { cli, tempDir } from './helpers.js';

export type Interval = [string, string];
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface CalendarJson {
  zone: string;
  hours: Record<Weekday, Interval[]>;
  holidays?: string[];
  overrides?: Record<string, Interval[]>;
}

/** A calendar with the same intervals Monday to Friday and `weekend` on Saturday and Sunday. */
export function officeCalendar(zone: string, weekdays: Interval[], extra: Partial<Omit<CalendarJson, 'zone' | 'hours'>> = {}, weekend: Interval[] = []): CalendarJson {
  return {
    zone,
    hours: { mon: weekdays, tue: weekdays, wed: weekdays, thu: weekdays, fri: weekdays, sat: weekend, sun: weekend },
    ...extra,
  };
}

/** New York, Monday to Friday 09:00–17:00. */
export const NEW_YORK = officeCalendar('America/New_York', [['09:00', '17:00']]);

/** A file holding `content` (JSON-encoded unless it is a string) in a new temp directory; returns its path. */
export function tempFile(name: string, content: unknown): string {
  const file = join(tempDir('caseflow-sla-'), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** A successful command: exit 0, nothing on stderr, exactly one printed text. Returns that text. */
export function printed(ran: Ran): string {
  expect({ code: ran.code, err: ran.err, texts: ran.out.length }).toEqual({ code: 0, err: [], texts: 1 });
  return ran.out[0] as string;
}

/** What `sla due` prints. */
export interface DueJson {
  dueAt: string | null;
  target: string | null;
  calendar: string;
  policy: string;
}

/** Runs `caseflow sla due ...argv`, expects success, and returns the JSON it printed (one line). */
export async function due(...argv: string[]): Promise<DueJson> {
  const text = printed(await cli(['sla', 'due', ...argv]));
  expect(text).not.toContain('\n');
  return JSON.parse(text) as DueJson;
}

/** The arguments of `sla due` for a query. */
export function dueArgs(plan: string, severity: string, category: string, region: string, opened: string, ...extra: string[]): string[] {
  return ['--plan', plan, '--severity', severity, '--category', category, '--region', region, '--opened', opened, ...extra];
}

/**
 * A command that must fail as bad input: exit 2, nothing on stdout, exactly one line on stderr,
 * `caseflow: ` and a message matching `message`. Returns that line.
 */
export async function expectBadInput(argv: string[], message: RegExp): Promise<string> {
  const ran = await cli(argv);
  expect({ code: ran.code, out: ran.out, lines: ran.err.length }).toEqual({ code: 2, out: [], lines: 1 });
  const line = ran.err[0] as string;
  expect(line).toMatch(/^caseflow: /);
  expect(line).not.toContain('\n');
  expect(line).toMatch(message);
  return line;
}

/** A deep copy of a JSON value with the value at `path` replaced by `value` (or removed when `value` is undefined). */
export function withValueAt(json: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(json)) as unknown;
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null || !(key in parent)) throw new Error(`no ${String(key)} in ${path.join('.')}`);
    parent = (parent as Record<string | number, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (last === undefined || typeof parent !== 'object' || parent === null || !(last in parent)) throw new Error(`no ${path.join('.')} to change`);
  if (value === undefined) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = value;
  return copy;
}

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface Exited {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built binary (`node services/cli/dist/main.js ...argv`) in a temp directory. */
export function caseflowBinary(...argv: string[]): Exited {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm -s build\` before the CLI tests`);
  const result = spawnSync(process.execPath, [MAIN, ...argv], { cwd: tempDir(), encoding: 'utf8', timeout: 15_000 });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
