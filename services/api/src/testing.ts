/**
 * `@caseflow/api/testing`: the API's test harness, for tests of the API and of its clients (such as
 * the CLI's `--server` commands). `startTestApi()` starts a real API on a real port (127.0.0.1, a
 * free one) over a real SQLite file, with the dev tenants and a token for every dev user, an
 * adjustable clock starting at `T0`, and `request()` to talk to it over HTTP with fetch.
 *
 * Not used by the running service: `@caseflow/api` (its index) does not import this module.
 * Importing it has no side effects; its files are made by `startTestApi` and removed by
 * `removeTestFiles`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bus } from '@caseflow/bus';
import { openInProcessBus } from '@caseflow/bus';
import type { DevUser, TenantDirectory } from '@caseflow/directory';
import { devDirectory, devUsers } from '@caseflow/directory';
import { CommandEngine } from '@caseflow/engine';
import type { SqliteEventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import { createTokenVerifier, generateSecret, issueToken } from '@caseflow/identity';
import { TicketList } from '@caseflow/readmodel';
import { decisionPolicyOf, defaultPolicy } from '@caseflow/sla';
import { PhoneVerifications } from '@caseflow/verification';
import type { ApiOptions } from './index.js';
import { AdjustableClock, buildApi } from './index.js';

/** Where every test API's clock starts, and the time its dev users' tokens are issued at. */
export const T0 = new Date('2026-11-02T09:00:00Z');

/** An answer as a test reads it: the body parsed as JSON (see `parsedOrText`). */
export interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON came back
  body: any;
}

/** A started API and what it runs on, for tests to act and look through. */
export interface TestApi {
  url: string;
  /** The SQLite file of its event store, bus, read model and verifications. */
  file: string;
  store: SqliteEventStore;
  bus: Bus;
  clock: AdjustableClock;
  tickets: TicketList;
  verifications: PhoneVerifications;
  directory: TenantDirectory;
  secret: string;
  users: (DevUser & { token: string })[];
  /** The token of the dev user with this name (e.g. alice@contoso) or, failing that, the first with this role. */
  token(nameOrRole: string): string;
  request(method: string, path: string, options?: { as?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<Reply>;
  /** Events in the store: a write from bad input would show here. */
  eventCount(): number;
  /** Waits until the list read model has applied every event stored so far (reports and listings read it). */
  listCaughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** The folder of this module's SQLite files: made by the first `startTestApi`, not on import. */
let dir: string | undefined;
const testDir = (): string => (dir ??= mkdtempSync(join(tmpdir(), 'caseflow-api-')));

/**
 * Removes every file the harness made (the SQLite file of each API started so far, and their
 * folder): for `afterAll`, once the APIs are closed. A later `startTestApi` makes a new folder.
 */
export function removeTestFiles(): void {
  if (dir === undefined) return;
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

/** What the test API is built with beside the API's own options. */
export interface TestApiSetup {
  /** The phone verifications' code generator, for tests that must know the code (the API never returns one). */
  randomCode?: () => string;
}

/**
 * Starts an API as above on its own SQLite file; `overrides` replace the options it is built with
 * (engine, store, clock…). Close it with `close()`.
 */
export async function startTestApi(overrides: Partial<ApiOptions> = {}, setup: TestApiSetup = {}): Promise<TestApi> {
  const file = join(testDir(), `${randomUUID()}.db`);
  const store = openSqliteEventStore(file);
  const bus = openInProcessBus(file, { pollIntervalMs: 20 });
  const clock = new AdjustableClock(T0);
  const tickets = new TicketList({ file, store });
  await tickets.start();
  const verifications = new PhoneVerifications({ file, now: () => clock.now(), ...(setup.randomCode === undefined ? {} : { randomCode: setup.randomCode }) });
  const directory = devDirectory();
  const secret = generateSecret();
  const users = await Promise.all(
    devUsers().map(async (user) => ({
      ...user,
      token: await issueToken(secret, { sub: user.name, role: user.role, tenant: user.tenant, ...(user.delegations === undefined ? {} : { delegations: user.delegations }) }, { now: T0 }),
    })),
  );
  const app = await buildApi({
    engine: new CommandEngine({ store, clock, policy: decisionPolicyOf(defaultPolicy) }),
    store,
    tickets,
    directory,
    verifyToken: createTokenVerifier({ secret }, { now: () => clock.now() }),
    verifications,
    bus,
    clock,
    testClock: clock,
    ...overrides,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const token = (nameOrRole: string) => {
    const user = users.find((u) => u.name === nameOrRole) ?? users.find((u) => u.role === nameOrRole);
    if (user === undefined) throw new Error(`no dev user ${nameOrRole}`);
    return user.token;
  };
  return {
    url,
    file,
    store,
    bus,
    clock,
    tickets,
    verifications,
    directory,
    secret,
    users,
    token,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      const bearer = options.token ?? (options.as === undefined ? undefined : token(options.as));
      if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      return { status: response.status, headers: response.headers, body: parsedOrText(await response.text()) };
    },
    eventCount: () => store.countAfter(),
    async listCaughtUp() {
      const last = store.lastPosition();
      if (last !== undefined) await tickets.caughtUpTo(last);
    },
    async close() {
      await app.close();
      await tickets.stop();
      verifications.close();
      await bus.close();
      await store.close();
    },
  };
}

/** A body as JSON, or the text as it came when it is not JSON (e.g. /metrics); undefined when empty. */
export function parsedOrText(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
