import { createHash, randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { Bus } from '@caseflow/bus';
import type { TenantDirectory } from '@caseflow/directory';
import { isRegisteredPhone, tenantOf, verificationRecipient } from '@caseflow/directory';
import type { CommandInput } from '@caseflow/domain';
import type { Clock, CommandEngine, HistoryEntry } from '@caseflow/engine';
import { readHistory } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import type { TokenVerifier } from '@caseflow/identity';
import { UnauthorizedError, bearerToken } from '@caseflow/identity';
import type { TicketList } from '@caseflow/readmodel';
import { InvalidCursorError } from '@caseflow/readmodel';
import type { SlaPolicy } from '@caseflow/sla';
import { policyList } from '@caseflow/sla';
import type { PhoneVerifications, VerificationView } from '@caseflow/verification';
import { ensureVerificationCodesTopic, publishVerificationCode } from '@caseflow/verification';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Principal } from './access.js';
import { canSee, principalOf, requireSupportStaff, seesInternalNotes } from './access.js';
import type { SystemGauges } from './metrics.js';
import { ApiMetrics } from './metrics.js';
import { Problem, ProblemSchema, problemFromRejection, validationProblem } from './problem.js';
import { reportRoutes } from './reports.js';
import {
  ClockBody,
  ClockView,
  CommandHeaders,
  ConfirmVerificationBody,
  HistoryQuery,
  HistorySchema,
  ListQuery,
  OpenTicketBody,
  PhoneVerificationBody,
  ROUTE_COMMANDS,
  RegisteredPhoneSchema,
  TenantParams,
  TicketPageSchema,
  TicketParams,
  TicketViewSchema,
  VerificationParams,
  VerificationViewSchema,
  commandBody,
} from './schemas.js';
import type { AdjustableClock } from './test-clock.js';
import { openedView, visibleHistory, withClocks } from './views.js';

export interface ApiOptions {
  engine: CommandEngine;
  store: EventStore;
  tickets: TicketList;
  directory: TenantDirectory;
  verifyToken: TokenVerifier;
  verifications: PhoneVerifications;
  /** Where verification codes go for the notifier to deliver. */
  bus: Bus;
  clock: Clock;
  /** The SLA policies tickets may have pinned; the first is the current one. */
  policies?: readonly SlaPolicy[];
  /** Only with `caseflow start --test-clock`: enables POST /v1/_clock. */
  testClock?: AdjustableClock;
  gauges?: SystemGauges;
  /** Largest request body in bytes (default 64 KiB). */
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const PROBLEM_RESPONSES = Object.fromEntries([400, 401, 403, 404, 409, 412, 413, 415, 422].map((status) => [status, ProblemSchema]));
const SECURED = [{ bearer: [] }];

/**
 * The HTTP API: a thin layer that authenticates, scopes and translates. Every decision about a
 * ticket is the engine's; every refusal becomes RFC 9457 problem details with a stable code.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const { engine, store, tickets, directory, verifyToken, verifications, bus, clock, testClock } = options;
  const policies = policyList(options.policies);
  const metrics = new ApiMetrics(options.gauges ?? {}, () => tickets.count());
  // The API may start before any notifier has created the topic the codes go to.
  await ensureVerificationCodesTopic(bus);

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Ticket ids and tenants are case-sensitive; a trailing slash is the same resource.
    routerOptions: { ignoreTrailingSlash: true },
    // Refusals the router makes before any route runs still answer as problem details.
    frameworkErrors: (error, request, reply) => {
      const problem =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new Problem('not_found', 'no such resource: the id is longer than any id here')
          : validationProblem([{ path: ['url'], message: error.message }]);
      void sendProblem(reply, problem);
    },
    // Requests Node's HTTP parser refuses (a malformed request line, headers over 16 KiB).
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return;
      const tooLarge = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const problem = tooLarge
        ? new Problem('payload_too_large', 'the request headers are larger than 16 KiB')
        : validationProblem([{ path: [], message: 'the request is not valid HTTP' }]);
      const body = JSON.stringify(problem.body());
      socket.end(
        `HTTP/1.1 ${problem.status} ${tooLarge ? 'Payload Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
  }).withTypeProvider<ZodTypeProvider>();
  // Bodies are JSON; anything else is a 415, not a string the schema then refuses.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'caseflow', version: '1.0.0', description: 'Support service requests as event-sourced tickets' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    // Schemas with a meta id (Ticket, Problem, the bodies) become components the paths refer to.
    transformObject: jsonSchemaTransformObject,
  });

  app.setErrorHandler((error, request, reply) => sendProblem(reply, toProblem(error, request)));
  app.setNotFoundHandler((request, reply) => sendProblem(reply, new Problem('not_found', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`)));
  // Graceful stop: close() waits for in-flight requests, but a keep-alive client holds its
  // connection open long after; answering those last requests with `Connection: close` ends it.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requestSeconds.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  const authenticate = async (request: FastifyRequest) => {
    try {
      request.principal = principalOf(await verifyToken(bearerToken(request.headers.authorization)), directory);
    } catch (error) {
      if (error instanceof UnauthorizedError) throw new Problem('unauthorized', error.message);
      throw error;
    }
  };
  const principal = (request: FastifyRequest): Principal => {
    if (request.principal === undefined) throw new Error('route without authentication');
    return request.principal;
  };

  // --- tickets ----------------------------------------------------------------------------------

  /** The ticket if the caller may see it; otherwise 404, whether it exists or not. */
  const visibleTicket = async (who: Principal, ticketId: string) => {
    const { ticket } = (await engine.load(ticketId)).state;
    if (ticket === undefined || !canSee(who, ticket.tenant)) throw new Problem('not_found', `no ticket ${ticketId}`);
    return ticket;
  };

  /** The ticket's history, each event with the ticket after it, if the caller may see it; otherwise 404. */
  const visibleEntries = async (who: Principal, ticketId: string) => {
    const entries = await readHistory(store, ticketId);
    const tenant = entries[0]?.stateAfter.tenant;
    if (tenant === undefined || !canSee(who, tenant)) throw new Problem('not_found', `no ticket ${ticketId}`);
    return entries;
  };

  /** The view after the last of these entries, with the clocks as they stand now. */
  const viewAfter = (entries: readonly HistoryEntry[]) => {
    const last = entries.at(-1);
    if (last === undefined) throw new Error('a view of a ticket without events');
    return withClocks(last.stateAfter, entries.map((entry) => entry.event), policies, clock.now());
  };

  const handle = async (
    request: FastifyRequest & { headers: z.infer<typeof CommandHeaders> },
    reply: FastifyReply,
    /** The command without its id and actor, which come from the request; the engine validates it. */
    input: Record<string, unknown> & { type: CommandInput['type'] },
    onBehalfOfPhoneVerification: string | undefined,
    tenant: string,
  ) => {
    const who = principal(request);
    const { headers } = request;
    const causation = onBehalfOfPhoneVerification === undefined ? {} : { causationId: `phone-verification:${verifiedCaller(who, onBehalfOfPhoneVerification, tenant).id}` };
    const commandId = commandIdFor(who, headers['idempotency-key']);
    const expectedRevision = headers['if-match'] === undefined ? undefined : BigInt(headers['if-match'].replace(/^W\//, '').replaceAll('"', ''));
    const started = process.hrtime.bigint();
    const result = await engine.handle({ ...input, ...causation, commandId, actor: who.actor }, expectedRevision === undefined ? {} : { expectedRevision });
    metrics.commandSeconds.observe({ command: input.type }, Number(process.hrtime.bigint() - started) / 1e9);
    if (!result.ok) {
      metrics.commands.inc({ command: input.type, outcome: 'rejected' });
      metrics.rejections.inc({ code: result.rejection.code });
      throw problemFromRejection(result.rejection);
    }
    metrics.commands.inc({ command: input.type, outcome: result.repeated ? 'repeated' : 'accepted' });
    if (result.repeated) reply.header('idempotent-replayed', 'true');
    reply.header('etag', `"${result.revision}"`);
    // A repeat answers as the first time: the ticket as that command left it.
    return viewAfter((await readHistory(store, result.ticketId)).filter((entry) => entry.revision <= result.revision));
  };

  /** A command "on behalf of a phone caller" needs a confirmed verification for the ticket's tenant. */
  const verifiedCaller = (who: Principal, verificationId: string, tenant: string): VerificationView => {
    requireSupportStaff(who, 'act on behalf of a phone caller');
    const verification = verifications.usableFor(verificationId, tenant);
    if (verification === undefined) {
      throw new Problem('forbidden', `phone verification ${verificationId} is not confirmed for ${tenant} (or no longer usable): verify the caller first`);
    }
    return verification;
  };

  await app.register((v1, _options, done) => {
    const routes = v1.withTypeProvider<ZodTypeProvider>();
    routes.addHook('onRequest', authenticate);

    routes.post(
      '/v1/tickets',
      {
        schema: {
          summary: 'Open a service request',
          tags: ['tickets'],
          security: SECURED,
          headers: CommandHeaders,
          body: OpenTicketBody,
          response: { 201: TicketViewSchema, 200: TicketViewSchema, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const who = principal(request);
        const { tenant: named, onBehalfOfPhoneVerification, ...fields } = request.body;
        const tenant = named ?? (who.actor.role === 'customer-admin' || who.actor.role === 'customer-user' ? who.actor.tenant : undefined);
        if (tenant === undefined) throw validationProblem([{ path: ['tenant'], message: `${who.actor.role} must name the customer tenant` }]);
        if (!canSee(who, tenant)) throw new Problem('forbidden', `${who.actor.role} ${who.actor.id}@${who.actor.tenant} may not open a request for ${tenant}`);
        const entry = tenantOf(directory, tenant);
        if (entry === undefined) throw validationProblem([{ path: ['tenant'], message: `no tenant ${tenant} in the directory` }]);
        const view = await handle(
          request,
          reply,
          { type: 'open', ...fields, tenant, plan: entry.plan, region: entry.region, advancedAgreement: entry.advancedAgreement },
          onBehalfOfPhoneVerification,
          tenant,
        );
        return reply.code(reply.getHeader('idempotent-replayed') === 'true' ? 200 : 201).header('location', `/v1/tickets/${view.id}`).send(view);
      },
    );

    for (const command of ROUTE_COMMANDS) {
      routes.post(
        `/v1/tickets/:id/${command}`,
        {
          schema: {
            summary: `${command} a ticket`,
            tags: ['tickets'],
            security: SECURED,
            params: TicketParams,
            headers: CommandHeaders,
            body: commandBody(command),
            response: { 200: TicketViewSchema, ...PROBLEM_RESPONSES },
          },
        },
        async (request, reply) => {
          const ticket = await visibleTicket(principal(request), request.params.id);
          const { onBehalfOfPhoneVerification, ...fields } = request.body as Record<string, unknown> & { onBehalfOfPhoneVerification?: string };
          return reply.send(await handle(request, reply, { ...fields, type: command, ticketId: request.params.id }, onBehalfOfPhoneVerification, ticket.tenant));
        },
      );
    }

    routes.get(
      '/v1/tickets/:id',
      { schema: { summary: 'A ticket, with its SLA clocks', tags: ['tickets'], security: SECURED, params: TicketParams, response: { 200: TicketViewSchema, ...PROBLEM_RESPONSES } } },
      async (request, reply) => {
        const view = viewAfter(await visibleEntries(principal(request), request.params.id));
        return reply.header('etag', `"${view.revision}"`).send(view);
      },
    );

    routes.get(
      '/v1/tickets/:id/history',
      {
        schema: {
          summary: "A ticket's events, each with the ticket after it; or with ?at= the ticket as of that instant",
          tags: ['tickets'],
          security: SECURED,
          params: TicketParams,
          querystring: HistoryQuery,
          response: { 200: HistorySchema, ...PROBLEM_RESPONSES },
        },
      },
      async (request) => {
        const who = principal(request);
        const ticketId = request.params.id;
        const entries = await visibleEntries(who, ticketId);
        const { at } = request.query;
        if (at !== undefined) {
          // Events are stored in the order they occurred, so what had happened by then is a prefix.
          const instant = new Date(at);
          const last = entries.filter((entry) => Date.parse(entry.event.occurredAt) <= instant.getTime()).at(-1);
          if (last === undefined) throw new Problem('not_found', `ticket ${ticketId} had not been opened at ${at}`);
          return { ticketId, at: instant.toISOString(), ticket: openedView(last.stateAfter) };
        }
        return { ticketId, events: visibleHistory(entries, seesInternalNotes(who)) };
      },
    );

    routes.get(
      '/v1/tickets',
      {
        schema: {
          summary: 'Tickets the caller may see, newest first, from the list read model',
          tags: ['tickets'],
          security: SECURED,
          querystring: ListQuery,
          response: { 200: TicketPageSchema, ...PROBLEM_RESPONSES },
        },
      },
      (request) => {
        const who = principal(request);
        const { limit, cursor, ...filters } = request.query;
        try {
          return tickets.query(
            { ...filters, limit, ...(cursor === undefined ? {} : { cursor }), ...(who.scope === 'all' ? {} : { tenants: who.scope }) },
            clock.now(),
          );
        } catch (error) {
          if (error instanceof InvalidCursorError) throw validationProblem([{ path: ['cursor'], message: error.message }]);
          throw error;
        }
      },
    );

    void routes.register(reportRoutes, { tickets, policies, clock, principal });

    // --- phone verification -------------------------------------------------------------------

    routes.post(
      '/v1/tenants/:tenant/phone-verifications',
      {
        schema: {
          summary: "Verify a caller whose phone is not registered: a code goes to the tenant's registered contact",
          tags: ['phone verification'],
          security: SECURED,
          params: TenantParams,
          body: PhoneVerificationBody,
          response: { 202: VerificationViewSchema, 200: RegisteredPhoneSchema, ...PROBLEM_RESPONSES },
        },
      },
      async (request, reply) => {
        const who = principal(request);
        requireSupportStaff(who, 'verify a phone caller');
        const { tenant } = request.params;
        const { phone } = request.body;
        if (tenantOf(directory, tenant) === undefined) throw new Problem('not_found', `no tenant ${tenant}`);
        if (isRegisteredPhone(directory, tenant, phone)) return reply.code(200).send({ tenant, phone, registered: true as const });
        const recipient = verificationRecipient(directory, tenant);
        if (recipient === undefined) throw new Problem('no_registered_contact', `${tenant} has no registered email or phone to send a code to`);
        const { verification, code } = verifications.request({ tenant, phone, requestedBy: who.actor.id });
        await publishVerificationCode(bus, {
          verificationId: verification.id,
          tenant,
          callerPhone: phone,
          to: { name: recipient.name, ...(recipient.email === undefined ? {} : { email: recipient.email }), ...(recipient.phone === undefined ? {} : { phone: recipient.phone }) },
          language: recipient.language,
          code,
          expiresAt: verification.expiresAt,
          requestedBy: who.actor.id,
        });
        return reply
          .code(202)
          .header('location', `/v1/phone-verifications/${verification.id}`)
          .send({ ...verification, sentTo: masked(recipient.email ?? recipient.phone ?? '') });
      },
    );

    routes.get(
      '/v1/phone-verifications/:id',
      { schema: { summary: 'A phone verification', tags: ['phone verification'], security: SECURED, params: VerificationParams, response: { 200: VerificationViewSchema, ...PROBLEM_RESPONSES } } },
      (request) => {
        requireSupportStaff(principal(request), 'read phone verifications');
        const verification = verifications.get(request.params.id);
        if (verification === undefined) throw new Problem('not_found', `no phone verification ${request.params.id}`);
        return verification;
      },
    );

    routes.post(
      '/v1/phone-verifications/:id/confirm',
      {
        schema: {
          summary: 'Check the code the caller read out: 5 attempts, 10 minutes',
          tags: ['phone verification'],
          security: SECURED,
          params: VerificationParams,
          body: ConfirmVerificationBody,
          response: { 200: VerificationViewSchema, ...PROBLEM_RESPONSES },
        },
      },
      (request) => {
        const who = principal(request);
        requireSupportStaff(who, 'confirm a phone verification');
        const outcome = verifications.confirm(request.params.id, request.body.code, who.actor.id);
        if (outcome.ok) return outcome.verification;
        const left = { attemptsLeft: outcome.attemptsLeft };
        switch (outcome.reason) {
          case 'not_found':
            throw new Problem('not_found', `no phone verification ${request.params.id}`);
          case 'already_confirmed':
            throw new Problem('already_confirmed', 'this verification was confirmed before', left);
          case 'expired':
            throw new Problem('verification_expired', 'the code has expired; start a new verification', left);
          case 'locked':
            throw new Problem('verification_locked', 'too many wrong codes; start a new verification', left);
          case 'wrong_code':
            throw new Problem('wrong_code', `the code is not right; ${outcome.attemptsLeft} attempts left`, left);
        }
      },
    );
    done();
  });

  // --- operations ------------------------------------------------------------------------------

  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  // The API listens only once its read model has caught up; it stops being ready when it starts closing.
  app.get('/readyz', { schema: { hide: true } }, (_request, reply) =>
    reply.code(closing ? 503 : 200).send({ status: closing ? 'closing' : 'ready' }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );

  if (testClock !== undefined) {
    app.post(
      '/v1/_clock',
      { schema: { summary: 'Test clock: set or advance the time (only with --test-clock)', tags: ['test clock'], body: ClockBody, response: { 200: ClockView, ...PROBLEM_RESPONSES } } },
      (request) => {
        try {
          const now = 'set' in request.body ? testClock.set(new Date(request.body.set)) : testClock.advance(request.body.advance);
          return { now: now.toISOString() };
        } catch (error) {
          if (error instanceof RangeError) throw validationProblem([{ path: ['set' in request.body ? 'set' : 'advance'], message: error.message }]);
          throw error;
        }
      },
    );
    app.get('/v1/_clock', { schema: { hide: true } }, () => ({ now: testClock.now().toISOString() }));
  }

  return app;
}

/**
 * A command's id: the Idempotency-Key, scoped to the caller so that two callers who pick the
 * same key never collide; without a key, a fresh id (the request is not idempotent).
 */
function commandIdFor(who: Principal, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  const { tenant, id } = who.actor;
  return `idem-${createHash('sha256').update(JSON.stringify([tenant, id, idempotencyKey])).digest('hex')}`;
}

function masked(address: string): string {
  const at = address.indexOf('@');
  if (at > 0) return `${address.slice(0, 1)}***${address.slice(at)}`;
  return `***${address.slice(-3)}`;
}

function toProblem(error: unknown, request: FastifyRequest): Problem {
  if (error instanceof Problem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'body';
    return validationProblem(
      error.validation.map((issue) => ({
        path: [where, ...issue.instancePath.split('/').filter(Boolean)],
        message: issue.message ?? 'invalid',
      })),
    );
  }
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('payload_too_large', message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported_media_type', `send the body as application/json, not ${request.headers['content-type'] ?? 'nothing'}`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return validationProblem([{ path: ['body'], message }]);
  }
  if (error instanceof SyntaxError || (error as { statusCode?: number }).statusCode === 400) return validationProblem([{ path: [], message }]);
  if (error instanceof z.ZodError) return validationProblem(error.issues.map((i) => ({ path: ['headers', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message })));
  request.log.error({ err: error }, 'unhandled error');
  return new Problem('internal', 'the request could not be completed');
}

function sendProblem(reply: FastifyReply, problem: Problem) {
  if (problem.code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
  return reply.code(problem.status).type('application/problem+json').send(problem.body());
}

