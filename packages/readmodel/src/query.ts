import { createHash } from 'node:crypto';
import type { Category, LifecycleState, Plan, Severity } from '@caseflow/domain';
import { LIFECYCLE_STATES, SEVERITY_ORDER } from '@caseflow/domain';

/** One row of the ticket list. */
export interface TicketSummary {
  id: string;
  tenant: string;
  state: LifecycleState;
  severity: Severity;
  category: Category;
  plan: Plan;
  region: string;
  title: string;
  owner?: string;
  escalationLevel: number;
  /** The stream revision of the ticket's last event. */
  revision: number;
  openedAt: string;
  closedAt?: string;
  lastEventAt: string;
  /** When the earliest SLA clock that is running breaches (or did breach); undefined when no clock can breach now (paused, fulfilled, no commitment). */
  breachAt?: string;
  /** breachAt <= the `now` of the query. */
  breached: boolean;
}

export interface TicketQuery {
  /** Restrict to these tenants (the caller's access scope); undefined = all. The `tenant` filter only narrows it. */
  tenants?: readonly string[];
  state?: LifecycleState;
  severity?: Severity;
  tenant?: string;
  owner?: string;
  breached?: boolean;
  /** Default 50, at most 500. */
  limit?: number;
  /** Opaque, from a previous page of the same query. */
  cursor?: string;
}

export interface TicketPage {
  /** Most recently opened first. */
  items: TicketSummary[];
  /** Present when more rows follow. */
  nextCursor?: string;
}

/** A cursor that is not one of ours, or that was issued for another filter. */
export class InvalidCursorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/** The filters of a query, checked, and the instant `breached` is judged at. */
export interface TicketFilter {
  tenants: readonly string[] | undefined;
  state: LifecycleState | undefined;
  severity: Severity | undefined;
  tenant: string | undefined;
  owner: string | undefined;
  breached: boolean | undefined;
  nowMs: number;
}

/** Where a page starts: strictly after this row in the list's order. */
export interface ListPosition {
  openedMs: number;
  id: string;
}

export interface CheckedQuery {
  filter: TicketFilter;
  limit: number;
  after: ListPosition | undefined;
}

function oneOf<T extends string>(name: string, value: T | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || allowed.includes(value)) return value;
  throw new RangeError(`${name} must be one of ${allowed.join(', ')}; got ${String(value)}`);
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new RangeError(`${name} must be a string; got ${typeof value}`);
}

/** Checks a query (RangeError naming the problem, InvalidCursorError for a cursor) before anything is read. */
export function checkQuery(query: TicketQuery, now: Date): CheckedQuery {
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('now must be a valid instant');
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIMIT}; got ${String(limit)}`);
  }
  if (query.breached !== undefined && typeof query.breached !== 'boolean') {
    throw new RangeError(`breached must be true or false; got ${String(query.breached)}`);
  }
  const { tenants } = query;
  if (tenants !== undefined && (!Array.isArray(tenants) || tenants.some((tenant) => typeof tenant !== 'string'))) {
    throw new RangeError('tenants must be a list of tenant ids');
  }
  const filter: TicketFilter = {
    tenants,
    state: oneOf('state', query.state, LIFECYCLE_STATES),
    severity: oneOf('severity', query.severity, SEVERITY_ORDER),
    tenant: optionalString('tenant', query.tenant),
    owner: optionalString('owner', query.owner),
    breached: query.breached,
    nowMs,
  };
  return { filter, limit, after: query.cursor === undefined ? undefined : readCursor(query.cursor, filter) };
}

/**
 * Names the rows a filter selects, so that a cursor only continues the listing it came from. The
 * instant is left out: `breached` pages are taken at each request's own now.
 */
function filterKey({ tenants, state, severity, tenant, owner, breached }: TicketFilter): string {
  const scope = tenants === undefined ? null : [...new Set(tenants)].sort();
  const canonical = JSON.stringify([scope, state ?? null, severity ?? null, tenant ?? null, owner ?? null, breached ?? null]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

interface CursorContent {
  /** The filter's key. */
  f: string;
  /** openedAt of the last row served, in ms. */
  o: number;
  /** id of the last row served. */
  i: string;
}

export function writeCursor(filter: TicketFilter, last: ListPosition): string {
  const content: CursorContent = { f: filterKey(filter), o: last.openedMs, i: last.id };
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

function readCursor(cursor: string, filter: TicketFilter): ListPosition {
  let content: Partial<CursorContent> | null;
  try {
    content = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorContent> | null;
  } catch {
    throw new InvalidCursorError('the cursor is not one this list issued');
  }
  if (typeof content !== 'object' || content === null || typeof content.f !== 'string' || !Number.isSafeInteger(content.o) || typeof content.i !== 'string') {
    throw new InvalidCursorError('the cursor is not one this list issued');
  }
  if (content.f !== filterKey(filter)) throw new InvalidCursorError('the cursor belongs to a listing with other filters');
  return { openedMs: content.o as number, id: content.i };
}
