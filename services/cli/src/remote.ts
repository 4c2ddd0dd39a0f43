/**
 * The caseflow HTTP API as the `ticket` commands use it with `--server`: the server's engine,
 * clock and tenant directory decide, and the token says who acts. Refusals come back as results
 * (like the engine's), so the commands report them exactly as they report local ones; only a
 * server that cannot be reached, fails (5xx) or does not speak the API is an error.
 */
import type { RouteCommand } from '@caseflow/api';
import type { TicketEvent } from '@caseflow/domain';
import type { HistoryEntry, TicketView } from '@caseflow/engine';
import { z } from 'zod';
import { UsageError } from './context.js';

/** Long enough for a command queued behind others; a CLI should not hang on a server that never answers. */
const REQUEST_TIMEOUT_MS = 30_000;

const ServerClockSchema = z.object({
  name: z.string(),
  cycle: z.number().int(),
  status: z.string(),
  dueAt: z.string().nullable(),
  /** ISO 8601 working time left, negative once past due; null for no commitment. */
  remaining: z.string().nullable(),
  remainingMs: z.number().nullable(),
  target: z.string().nullable(),
  calendar: z.string(),
});
/** An SLA clock as the API reports it: as it stands on the server's clock. */
export type ServerClock = z.infer<typeof ServerClockSchema>;

// What the printers rely on is checked; the rest of a ticket passes through as the server sent it.
const ticketShape = {
  id: z.string(),
  state: z.string(),
  severity: z.string(),
  revision: z.number().int(),
  openedBy: z.looseObject({ id: z.string(), role: z.string(), tenant: z.string() }),
};
const TicketSchema = z.looseObject(ticketShape);
const ServerTicketSchema = z.looseObject({ ...ticketShape, clocks: z.array(ServerClockSchema) });
const HistorySchema = z.object({
  events: z.array(
    z.looseObject({
      revision: z.number().int(),
      event: z.looseObject({ type: z.string(), occurredAt: z.string(), actor: z.looseObject({ id: z.string(), role: z.string(), tenant: z.string() }) }),
      stateAfter: TicketSchema,
    }),
  ),
});
const AsOfSchema = z.object({ ticket: TicketSchema });
const ProblemSchema = z.looseObject({ code: z.string(), detail: z.string() });

/** The ticket view the API answers with: the engine's view plus its SLA clocks. */
export type ServerTicketView = TicketView & { clocks: ServerClock[] };

/** The body of a 2xx answer, or the code and detail of the problem the server refused with (it wrote nothing). */
export type Answer<T> = { ok: true; body: T; replayed: boolean } | { ok: false; code: string; detail: string };

export interface CommandOptions {
  /** Sent as Idempotency-Key: a repeat returns the first answer and changes nothing. */
  idempotencyKey?: string;
  /** Sent as If-Match: refused unless the ticket is at this revision. */
  ifMatch?: number;
}

/** `--server` and `--token` checked before anything is sent. */
export function connect(server: string, token: string | undefined): ApiClient {
  const protocol = URL.canParse(server) ? new URL(server).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new UsageError(`--server needs the API's http(s) URL, such as http://127.0.0.1:8080, not "${server}"`);
  }
  if (token === undefined || token.trim() === '') {
    throw new UsageError('--server needs a token: pass --token or set CASEFLOW_TOKEN (in dev mode, caseflow start writes one per role to dev-credentials.json)');
  }
  return new ApiClient(server, token.trim());
}

interface ServerHistory {
  events: { event: TicketEvent; revision: number; stateAfter: TicketView }[];
}

export class ApiClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  async open(body: Record<string, unknown>, options: CommandOptions): Promise<Answer<ServerTicketView>> {
    return this.request<ServerTicketView>('POST', '/v1/tickets', ServerTicketSchema, body, options);
  }

  async command(ticketId: string, command: RouteCommand, body: Record<string, unknown>, options: CommandOptions): Promise<Answer<ServerTicketView>> {
    return this.request<ServerTicketView>('POST', `${ticketPath(ticketId)}/${command}`, ServerTicketSchema, body, options);
  }

  async ticket(ticketId: string): Promise<Answer<ServerTicketView>> {
    return this.request<ServerTicketView>('GET', ticketPath(ticketId), ServerTicketSchema);
  }

  /** Every event the caller may see, each with the ticket after it, in the local history's shape. */
  async history(ticketId: string): Promise<Answer<HistoryEntry[]>> {
    const answer = await this.request<ServerHistory>('GET', `${ticketPath(ticketId)}/history`, HistorySchema);
    if (!answer.ok) return answer;
    const entries = answer.body.events.map(({ event, revision, stateAfter }) => ({ event, revision: BigInt(revision), stateAfter }));
    return { ...answer, body: entries };
  }

  /** The ticket as it was at an instant (without clocks, as locally). */
  async ticketAt(ticketId: string, at: Date): Promise<Answer<TicketView>> {
    const answer = await this.request<{ ticket: TicketView }>('GET', `${ticketPath(ticketId)}/history?at=${encodeURIComponent(at.toISOString())}`, AsOfSchema);
    return answer.ok ? { ...answer, body: answer.body.ticket } : answer;
  }

  /**
   * One request. `schema` checks what the CLI relies on, so that a server that is not caseflow's
   * is an error rather than odd output; the rest of the body is trusted to be the API's `T`.
   */
  private async request<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType, body?: Record<string, unknown>, options: CommandOptions = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;

    let response: Response;
    let json: unknown;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      json = parseJson(await response.text());
    } catch (error) {
      throw new Error(`cannot reach ${this.base}: ${unreachableReason(error)}`);
    }

    const { status } = response;
    const problem = ProblemSchema.safeParse(json);
    if (status >= 500) throw new Error(`${this.base} failed (HTTP ${status}${problem.success ? ` ${problem.data.code}): ${problem.data.detail}` : ')'}`);
    if (status >= 200 && status < 300) {
      if (!schema.safeParse(json).success) throw new Error(`${this.base} answered ${method} ${path} with something the caseflow API does not send: is it a caseflow server?`);
      return { ok: true, body: json as T, replayed: response.headers.get('idempotent-replayed') === 'true' };
    }
    if (!problem.success) throw new Error(`${this.base} answered ${method} ${path} with HTTP ${status} and no problem details: is it a caseflow server?`);
    const { code, detail } = problem.data;
    if (status === 401) return { ok: false, code, detail: `the server does not accept the token (${detail}); pass a valid one with --token or CASEFLOW_TOKEN` };
    return { ok: false, code, detail };
  }
}

const ticketPath = (ticketId: string) => `/v1/tickets/${encodeURIComponent(ticketId)}`;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch says only "fetch failed"; its cause says why (connection refused, unknown host, …). */
function unreachableReason(error: unknown): string {
  // Read by shape, not instanceof: the errors may come from another realm (fetch's own, or a test VM's).
  const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: { message?: string; code?: string } };
  if (name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  return cause?.message || cause?.code || message || String(error);
}

export function describeServerClocks(clocks: readonly ServerClock[]): string {
  if (clocks.length === 0) return 'no SLA clock has started';
  return clocks
    .map((c) => {
      const due = c.dueAt === null ? 'no commitment' : `due ${c.dueAt}`;
      const remaining = c.remaining === null ? '' : `, remaining ${c.remaining}`;
      return `${c.name} (cycle ${c.cycle}): ${c.status}; ${due}${remaining} on ${c.calendar}`;
    })
    .join('\n');
}
