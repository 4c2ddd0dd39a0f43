/**
 * The analyst reports over HTTP: `GET /v1/reports/sla` and `GET /v1/reports/states`, computed by
 * `@caseflow/analytics` from the report facts the ticket list keeps, as JSON or CSV.
 */
import type { ReportFormat, SlaReport, StatesReport } from '@caseflow/analytics';
import { GROUP_BY, pinnedReopenWindowMs, renderReport, slaReport, statesReport } from '@caseflow/analytics';
import { IsoInstant, LIFECYCLE_STATES, Severity } from '@caseflow/domain';
import type { Clock } from '@caseflow/engine';
import type { TicketList } from '@caseflow/readmodel';
import type { SlaPolicy } from '@caseflow/sla';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from './access.js';
import { Problem, ProblemSchema } from './problem.js';

export interface ReportRoutesOptions {
  tickets: TicketList;
  /** The SLA policies tickets may have pinned; the first is the current one. */
  policies: readonly SlaPolicy[];
  clock: Clock;
  /** The authenticated caller (the enclosing routes authenticate every request). */
  principal: (request: FastifyRequest) => Principal;
}

const REPORT_READERS = new Set(['analyst', 'supervisor']);

// --- request and response shapes ------------------------------------------------------------

const ReportWindowQuery = z.object({
  from: IsoInstant.describe('Tickets opened at or after this instant (ISO 8601 with Z or an offset)'),
  to: IsoInstant.describe('...and before this one; after `from`'),
  asOf: IsoInstant.optional().describe('The instant the figures are as of (default: now): a pending response due by then counts as breached'),
});

/** A window whose end is not after its start would be an empty report; say so rather than answer zeros. */
const nonEmptyWindow = (query: { from: string; to: string }) => Date.parse(query.from) < Date.parse(query.to);
const windowEnds = ReportWindowQuery.pick({ from: true, to: true });
const EMPTY_WINDOW = {
  path: ['to'],
  error: 'to must be after from',
  // Only once both are instants: an invalid one has its own error already.
  when: (payload: { value: unknown }) => windowEnds.safeParse(payload.value).success,
};

const SlaReportQuery = ReportWindowQuery.extend({
  groupBy: z.enum(GROUP_BY).optional().describe('One row per plan, severity, tenant, region or month (UTC) opened, beside the total'),
})
  .strict()
  .refine(nonEmptyWindow, EMPTY_WINDOW);
const StatesReportQuery = ReportWindowQuery.strict().refine(nonEmptyWindow, EMPTY_WINDOW);

const count = z.number().int().nonnegative();
const milliseconds = z.number().int();

// Strict: a figure the analytics package adds fails loudly here (and in the tests) until it is documented.
const SlaRowSchema = z
  .strictObject({
    group: z.string().describe('The group key ("enterprise", "A", "2026-03"...), or "all" for the total'),
    tickets: count,
    met: count,
    breached: count,
    noCommitment: count,
    pending: count,
    stopped: count,
    responseMedianMs: milliseconds.nullable().describe('Nearest-rank median of the first-response business time, over tickets that had one'),
    responseP90Ms: milliseconds.nullable(),
    awaitingCustomerMs: milliseconds,
    downgrades: count,
    reopens: count,
    reopensRefused: count.describe('Follow-up requests opened after the reopen window of the ticket they follow up'),
    escalations: z.record(z.string(), count).describe('Escalations by level'),
  })
  .meta({ id: 'SlaReportRow' });

const windowFields = { from: z.string(), to: z.string(), asOf: z.string() };

const SlaReportSchema = z
  .strictObject({
    kind: z.literal('sla'),
    ...windowFields,
    groupBy: z.enum(GROUP_BY).nullable(),
    policy: z.string().describe('"pinned": each ticket under the SLA policy it pinned when opened'),
    rows: z.array(SlaRowSchema),
    total: SlaRowSchema,
  })
  .meta({ id: 'SlaReport' });

const StatesReportSchema = z
  .strictObject({
    kind: z.literal('states'),
    ...windowFields,
    rows: z.array(
      z.strictObject({
        state: z.enum(LIFECYCLE_STATES),
        severity: Severity.describe('The severity on entering the state'),
        stays: count.describe('Completed stays only'),
        medianMs: milliseconds,
        p90Ms: milliseconds,
      }),
    ),
    transitions: z.array(z.strictObject({ from: z.enum(LIFECYCLE_STATES), to: z.enum(LIFECYCLE_STATES), count })),
  })
  .meta({ id: 'StatesReport' });

/** Both renderings of a report: the JSON the schema describes, or CSV with a header row. */
const reportResponse = <Schema extends z.ZodType>(schema: Schema, description: string) => ({
  200: {
    description,
    content: {
      'application/json': { schema },
      'text/csv': { schema: z.string().describe('A header row, then one record per row') },
    },
  },
  ...Object.fromEntries([400, 401, 403, 406].map((status) => [status, ProblemSchema])),
});

// --- content negotiation -------------------------------------------------------------------

const MEDIA_TYPES: readonly [ReportFormat, string][] = [
  ['json', 'application/json'],
  ['csv', 'text/csv'],
];

/** The q the Accept header gives a media type: that of the most specific range matching it; 0 when none does. */
function qualityOf(accept: string, mediaType: string): number {
  const [major] = mediaType.split('/');
  let best = { specificity: -1, quality: 0 };
  for (const range of accept.split(',')) {
    const [name = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const specificity = name === mediaType ? 2 : name === `${major}/*` ? 1 : name === '*/*' ? 0 : -1;
    if (specificity <= best.specificity) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='))?.slice(2);
    const quality = q === undefined ? 1 : Number(q);
    best = { specificity, quality: Number.isFinite(quality) ? quality : 0 };
  }
  return best.quality;
}

/** JSON unless the client prefers CSV; undefined when it accepts neither. */
function negotiatedFormat(accept: string | undefined): ReportFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  let chosen: { format: ReportFormat; quality: number } | undefined;
  for (const [format, mediaType] of MEDIA_TYPES) {
    const quality = qualityOf(accept, mediaType);
    if (quality > 0 && quality > (chosen?.quality ?? 0)) chosen = { format, quality };
  }
  return chosen?.format;
}

// --- routes --------------------------------------------------------------------------------

/** The SLA and states reports, for analysts and supervisors; every tenant's tickets. */
export const reportRoutes: FastifyPluginCallbackZod<ReportRoutesOptions> = (routes, options, done) => {
  const { tickets, policies, clock, principal } = options;
  const reopenWindowMs = pinnedReopenWindowMs(policies);

  // Runs after authentication and before the query is validated: a caller without the role learns nothing else.
  const readersOnly = (request: FastifyRequest, _reply: FastifyReply, next: (error?: Error) => void) => {
    const { role, id, tenant } = principal(request).actor;
    next(REPORT_READERS.has(role) ? undefined : new Problem('forbidden', `${role} ${id}@${tenant} may not read reports: only analysts and supervisors may`));
  };

  /** The window as the report functions take it; `asOf` defaults to the API's clock. */
  const windowOf = (query: { from: string; to: string; asOf?: string | undefined }) => ({
    from: new Date(query.from),
    to: new Date(query.to),
    asOf: query.asOf === undefined ? clock.now() : new Date(query.asOf),
  });

  /**
   * The report in the format the client accepts, 406 when it accepts neither. The facts are read
   * in one synchronous pass, so the list cannot apply events halfway through a report.
   */
  const answer = (request: FastifyRequest, reply: FastifyReply, report: () => SlaReport | StatesReport): void => {
    const format = negotiatedFormat(request.headers.accept);
    if (format === undefined) {
      throw new Problem('not_acceptable', `a report is application/json or text/csv; the request accepts only ${request.headers.accept ?? ''}`);
    }
    const computed = report();
    reply.header('vary', 'accept');
    if (format === 'csv') void reply.type('text/csv; charset=utf-8').send(renderReport(computed, 'csv'));
    else void reply.type('application/json; charset=utf-8').send(computed);
  };

  routes.get(
    '/v1/reports/sla',
    {
      onRequest: readersOnly,
      schema: {
        summary: 'First-response SLA figures of the tickets opened in a window, each under its pinned policy; JSON or CSV (Accept: text/csv)',
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: SlaReportQuery,
        response: reportResponse(SlaReportSchema, 'The SLA report'),
      },
    },
    (request, reply) => {
      const { groupBy, ...window } = request.query;
      return answer(request, reply, () =>
        slaReport(tickets.facts(), { ...windowOf(window), ...(groupBy === undefined ? {} : { groupBy }), policy: 'pinned', reopenWindowMs }),
      );
    },
  );

  routes.get(
    '/v1/reports/states',
    {
      onRequest: readersOnly,
      schema: {
        summary: 'Time in each state by severity, and the transitions between states, of the tickets opened in a window; JSON or CSV (Accept: text/csv)',
        tags: ['reports'],
        security: [{ bearer: [] }],
        querystring: StatesReportQuery,
        response: reportResponse(StatesReportSchema, 'The states report'),
      },
    },
    (request, reply) => answer(request, reply, () => statesReport(tickets.facts(), windowOf(request.query))),
  );
  done();
};
