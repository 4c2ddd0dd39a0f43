/**
 * Helpers for the caseflow CLI tests: a fresh store directory per test, `run` with an output that
 * collects what the CLI prints, the arguments of a valid `ticket open`, and a look into the store
 * file itself (to prove that refusals and usage errors write nothing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@jest/globals';
import type { TicketView } from '@caseflow/engine';
import type { RecordedEvent } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { Output } from '../src/output.js';
import { run } from '../src/program.js';

/** A Monday morning, the instant the tests' tickets are opened at. */
export const T0 = '2026-01-05T09:00:00.000Z';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An ISO instant `offsetMillis` after `base` (T0 by default). */
export const at = (offsetMillis: number, base: string = T0): string => new Date(Date.parse(base) + offsetMillis).toISOString();

export const ADMIN = 'customer-admin:alice@contoso';
export const AGENT = 'agent:sam@support';
export const SUPERVISOR = 'supervisor:kai@support';
export const SLA_WORKER = 'service:sla-timer@support';

const made: string[] = [];

/** A new, empty directory under the system temp dir; removed by `removeTempDirs`. */
export function tempDir(prefix = 'caseflow-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface Ran {
  code: number;
  /** Each string the CLI printed to stdout (one call of `out`; JSON spans several lines). */
  out: string[];
  err: string[];
  /** stdout as one text, as a terminal would show it. */
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[]): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = { out: (text) => out.push(text), err: (text) => err.push(text) };
  const code = await run(argv, output);
  return { code, out, err, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** Runs `caseflow --data dir --now now ...argv` (no --now when `now` is undefined). */
export function inStore(dir: string, now?: string): (...argv: string[]) => Promise<Ran> {
  return (...argv) => cli(['--data', dir, ...(now === undefined ? [] : ['--now', now]), ...argv]);
}

export interface OpenOptions {
  tenant?: string;
  plan?: string;
  category?: string;
  severity?: string;
  region?: string;
  title?: string;
  contactEmail?: string;
  preferredContact?: string;
  language?: string;
  as?: string;
}

/** The arguments of `ticket open` for a valid enterprise technical severity B request, with overrides. */
export function openArgs(options: OpenOptions = {}, ...extra: string[]): string[] {
  return [
    'ticket',
    'open',
    '--tenant',
    options.tenant ?? 'contoso',
    '--plan',
    options.plan ?? 'enterprise',
    '--category',
    options.category ?? 'technical',
    '--severity',
    options.severity ?? 'B',
    '--region',
    options.region ?? 'US',
    '--title',
    options.title ?? 'Mail flow down',
    '--contact-email',
    options.contactEmail ?? 'admin@contoso.example',
    '--preferred-contact',
    options.preferredContact ?? 'email',
    '--language',
    options.language ?? 'en',
    '--as',
    options.as ?? ADMIN,
    ...extra,
  ];
}

/** Opens a ticket at `now` (T0 by default) and returns its id. */
export async function openTicket(dir: string, now: string = T0, options: OpenOptions = {}, ...extra: string[]): Promise<string> {
  const ran = await cli(['--data', dir, '--now', now, ...openArgs(options, ...extra)]);
  expect(ran.err).toEqual([]);
  expect(ran.code).toBe(0);
  expect(ran.out).toHaveLength(1);
  return ran.out[0] as string;
}

/** The JSON a command printed with --json. */
export function json<T = TicketView>(ran: Ran): T {
  expect(ran.err).toEqual([]);
  expect(ran.code).toBe(0);
  return JSON.parse(ran.stdout) as T;
}

/** One entry of `ticket history --json`. */
export interface HistoryJson {
  event: {
    id: string;
    type: string;
    ticketId: string;
    occurredAt: string;
    commandId: string;
    actor: { id: string; role: string; tenant: string };
    data: Record<string, unknown>;
  };
  revision: number;
  stateAfter: TicketView;
}

export const storeFileIn = (dir: string) => join(dir, 'caseflow.db');

/** Every event in the store file of `dir`, in global order. Opens the store and closes it again. */
export async function storedEvents(dir: string): Promise<RecordedEvent[]> {
  const store = openSqliteEventStore(storeFileIn(dir));
  try {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) events.push(event);
    return events;
  } finally {
    await store.close();
  }
}

export async function countEvents(dir: string): Promise<number> {
  return (await storedEvents(dir)).length;
}

/** How many events are stored where a command acts: in a store directory's file, or on an API's server. */
type EventCount = () => number | Promise<number>;

/**
 * Runs a command that must be refused with `code`: exit 2, nothing on stdout, exactly one line on
 * stderr naming the code, and not one event more stored. Returns that line.
 */
export async function expectRefusalFrom(command: () => Promise<Ran>, code: string, count: EventCount): Promise<string> {
  const before = await count();
  const ran = await command();
  expect({ code: ran.code, out: ran.out, lines: ran.err.length }).toEqual({ code: 2, out: [], lines: 1 });
  const line = ran.err[0] as string;
  expect(line.startsWith(`caseflow: refused (${code}): `)).toBe(true);
  expect(line).not.toContain('\n');
  expect(await count()).toBe(before);
  return line;
}

/**
 * Runs a command that must be a usage error: exit 2, nothing on stdout, stderr matching
 * `message`, and not one event more stored.
 */
export async function expectUsageErrorFrom(command: () => Promise<Ran>, message: RegExp, count: EventCount): Promise<void> {
  const before = await count();
  const ran = await command();
  expect({ code: ran.code, out: ran.out }).toEqual({ code: 2, out: [] });
  expect(ran.stderr).toMatch(message);
  expect(ran.stderr).not.toMatch(/refused \(/);
  expect(await count()).toBe(before);
}

/** `caseflow --data dir ...argv` must be refused with `code`, and store nothing in `dir`. */
export const expectRefused = (dir: string, argv: string[], code: string): Promise<string> =>
  expectRefusalFrom(() => cli(['--data', dir, ...argv]), code, () => countEvents(dir));

/** `caseflow --data dir ...argv` must be a usage error, and store nothing in `dir`. */
export const expectUsageError = (dir: string, argv: string[], message: RegExp): Promise<void> =>
  expectUsageErrorFrom(() => cli(['--data', dir, ...argv]), message, () => countEvents(dir));
