/**
 * The caseflow HTTP API as the `ticket` commands use it with `--server`: the server's engine,
 * clock and tenant directory decide, and the token says who acts. A refusal by the server is
 * thrown as the same Refusal a local one is, so the commands report both alike; a server that
 * cannot be reached, fails (5xx) or does not speak the API is an error.
 */
import type { ProblemBody, RouteCommand } from '@caseflow/api';
import type { HistoryEntry, TicketView } from '@caseflow/engine';
import type { SlaClock } from '@caseflow/sla';
import { z } from 'zod';
import { Refusal, UsageError } from './errors.js';

/** Long enough for a command queued behind others; a CLI should not hang on a server that never answers. */
const REQUEST_TIMEOUT_MS = 30_000;

/** An SLA clock as the API reports it: as it stands on the server's clock, its instant and time left as ISO 8601 text. */
export type ServerClock = Pick<SlaClock, 'name' | 'cycle' | 'status' | 'remainingMs' | 'target' | 'calendar'> & {
  dueAt: string | null;
  /** Working time left, negative once past due; null for no commitment. */
  remaining: string | null;
};

/** The ticket view the API answers with: the engine's view plus its SLA clocks. */
export type ServerTicketView = TicketView & { clocks: ServerClock[] };

/** A history entry as the API sends it: the revision is a JSON number. */
type ServerHistoryEntry = Omit<HistoryEntry, 'revision'> & { revision: number };

/** What the server did with a command: the ticket after it, and whether it was a repeat that changed nothing. */
interface CommandAnswer {
  view: ServerTicketView;
  repeated: boolean;
}

export interface CommandOptions {
  /** Sent as Idempotency-Key: a repeat returns the first answer and changes nothing. */
  idempotencyKey?: string;
  /** Sent as If-Match: refused unless the ticket is at this revision. */
  ifMatch?: number;
}

// Enough of each answer to tell the caseflow API from another server (whose answers would print
// as nonsense); the types above, the API's own, say what the rest of a body is.
const ticketMarks = { id: z.string(), revision: z.number().int() };
const TicketAnswer = z.looseObject({ ...ticketMarks, clocks: z.array(z.looseObject({})) });
const HistoryAnswer = z.looseObject({ events: z.array(z.looseObject({ revision: z.number().int(), stateAfter: z.looseObject(ticketMarks) })) });
const AsOfAnswer = z.looseObject({ ticket: z.looseObject(ticketMarks) });
const ProblemAnswer: z.ZodType<Pick<ProblemBody, 'code' | 'detail'>> = z.looseObject({ code: z.string(), detail: z.string() });

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

export class ApiClient {
  private readonly base: string;

  constructor(
    server: string,
    private readonly token: string,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  async open(body: Record<string, unknown>, options: CommandOptions): Promise<CommandAnswer> {
    return this.send('/v1/tickets', body, options);
  }

  async command(ticketId: string, command: RouteCommand, body: Record<string, unknown>, options: CommandOptions): Promise<CommandAnswer> {
    return this.send(`${ticketPath(ticketId)}/${command}`, body, options);
  }

  async ticket(ticketId: string): Promise<ServerTicketView> {
    return (await this.request<ServerTicketView>('GET', ticketPath(ticketId), TicketAnswer)).body;
  }

  /** Every event the caller may see, each with the ticket after it, in the local history's shape. */
  async history(ticketId: string): Promise<HistoryEntry[]> {
    const { body } = await this.request<{ events: ServerHistoryEntry[] }>('GET', `${ticketPath(ticketId)}/history`, HistoryAnswer);
    return body.events.map(({ event, revision, stateAfter }) => ({ event, revision: BigInt(revision), stateAfter }));
  }

  /** The ticket as it was at an instant (without clocks, as locally). */
  async ticketAt(ticketId: string, at: Date): Promise<TicketView> {
    const { body } = await this.request<{ ticket: TicketView }>('GET', `${ticketPath(ticketId)}/history?at=${encodeURIComponent(at.toISOString())}`, AsOfAnswer);
    return body.ticket;
  }

  private async send(path: string, body: Record<string, unknown>, options: CommandOptions): Promise<CommandAnswer> {
    const { body: view, replayed } = await this.request<ServerTicketView>('POST', path, TicketAnswer, body, options);
    return { view, repeated: replayed };
  }

  /**
   * One request: the body of a 2xx answer, which `marks` tells from another server's; a problem
   * the server refused with (it wrote nothing) is thrown as a Refusal.
   */
  private async request<T>(method: 'GET' | 'POST', path: string, marks: z.ZodType, body?: Record<string, unknown>, options: CommandOptions = {}): Promise<{ body: T; replayed: boolean }> {
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
    const problem = ProblemAnswer.safeParse(json);
    if (status >= 500) throw new Error(`${this.base} failed (HTTP ${status}${problem.success ? ` ${problem.data.code}): ${problem.data.detail}` : ')'}`);
    if (status >= 200 && status < 300) {
      if (!marks.safeParse(json).success) throw new Error(`${this.base} answered ${method} ${path} with something the caseflow API does not send: is it a caseflow server?`);
      return { body: json as T, replayed: response.headers.get('idempotent-replayed') === 'true' };
    }
    if (!problem.success) throw new Error(`${this.base} answered ${method} ${path} with HTTP ${status} and no problem details: is it a caseflow server?`);
    const { code, detail } = problem.data;
    throw new Refusal(code, status === 401 ? `the server does not accept the token (${detail}); pass a valid one with --token or CASEFLOW_TOKEN` : detail);
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
