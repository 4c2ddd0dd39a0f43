/**
 * The API's request and response shapes. The server validates with these and /openapi.json is
 * generated from them, so the documentation cannot drift from what is enforced. Command bodies
 * derive from the domain's command schemas, so a field the domain gains appears here by itself.
 */
import {
  AddNote,
  AssignTicket,
  Category,
  ChangeSeverity,
  CloseTicket,
  Contact,
  CustomerReply,
  DowngradeTicket,
  IsoInstant,
  LIFECYCLE_STATES,
  Language,
  OpenTicket,
  ReopenTicket,
  RequestInfo,
  ResolveTicket,
  Severity,
  TenantId,
  TicketId,
  TriageTicket,
} from '@caseflow/domain';
import { z } from 'zod';

const ENVELOPE = { type: true, commandId: true, ticketId: true, actor: true, correlationId: true, causationId: true } as const;
const verificationId = z.uuid().describe('A confirmed phone verification: the agent acts for a caller whose phone is not registered');
const onBehalf = { onBehalfOfPhoneVerification: verificationId.optional() };

export const OpenTicketBody = z
  .object({
    tenant: TenantId.optional().describe('The customer tenant; required for agents and partners, implied for customer admins'),
    category: Category,
    severity: Severity,
    title: OpenTicket.shape.title,
    description: z.string().max(20_000).optional(),
    contact: Contact,
    language: Language,
    relatedTicketId: TicketId.optional(),
    ...onBehalf,
  })
  .strict()
  .meta({ id: 'OpenTicketBody' });

/** The workflow commands a client may send, by their URL segment. */
export const COMMAND_BODIES = {
  triage: TriageTicket,
  'request-info': RequestInfo,
  'customer-reply': CustomerReply,
  downgrade: DowngradeTicket,
  resolve: ResolveTicket,
  close: CloseTicket,
  reopen: ReopenTicket,
  note: AddNote,
  assign: AssignTicket,
  'change-severity': ChangeSeverity,
} as const;
export type RouteCommand = keyof typeof COMMAND_BODIES;
export const ROUTE_COMMANDS = Object.keys(COMMAND_BODIES) as RouteCommand[];

export function commandBody(command: RouteCommand) {
  // Each domain schema is a different object type; omitting the envelope is the same for all.
  const domain = COMMAND_BODIES[command] as unknown as z.ZodObject<z.ZodRawShape>;
  return domain.omit(ENVELOPE).extend(onBehalf).strict().meta({ id: `${pascal(command)}Body` });
}
const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());

export const TicketParams = z.object({ id: TicketId });
export const TenantParams = z.object({ tenant: TenantId });
export const VerificationParams = z.object({ id: z.uuid() });

const booleanText = z.enum(['true', 'false']).transform((v) => v === 'true');
export const ListQuery = z
  .object({
    state: z.enum(LIFECYCLE_STATES).optional(),
    severity: Severity.optional(),
    tenant: TenantId.optional(),
    owner: z.string().min(1).max(200).optional(),
    breached: booleanText.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().min(1).max(2000).optional(),
  })
  .strict();

export const HistoryQuery = z.object({ at: IsoInstant.optional().describe('The ticket as of this instant (ISO 8601 with Z or an offset)') }).strict();

export const CommandHeaders = z.looseObject({
  'if-match': z
    .string()
    .regex(/^(W\/)?"?[0-9]{1,15}"?$/, 'If-Match is a revision, as in the ETag: "3"')
    .optional()
    .describe('Refuse with 412 unless the ticket is at this revision'),
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'an Idempotency-Key is 1 to 200 visible ASCII characters')
    .optional()
    .describe('The command id: a repeat returns the first answer and changes nothing'),
});

export const SlaClockView = z.object({
  name: z.string(),
  cycle: z.number().int(),
  status: z.enum(['running', 'paused', 'fulfilled', 'breached', 'stopped']),
  dueAt: z.string().nullable(),
  /** ISO 8601 working time left, negative once past due; null for no commitment. */
  remaining: z.string().nullable(),
  remainingMs: z.number().nullable(),
  target: z.string().nullable(),
  calendar: z.string(),
});

export const TicketViewSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    state: z.enum(LIFECYCLE_STATES),
    severity: Severity,
    category: Category,
    plan: z.string(),
    region: z.string(),
    advancedAgreement: z.boolean(),
    title: z.string(),
    description: z.string(),
    contact: z.looseObject({ preferred: z.enum(['email', 'phone']) }),
    language: z.string(),
    owner: z.string().optional(),
    queue: z.string().optional(),
    escalationLevel: z.number().int(),
    clockEscalations: z.record(z.string(), z.number().int()),
    openedBy: z.object({ id: z.string(), role: z.string(), tenant: z.string() }),
    revision: z.number().int(),
    policy: z.object({ id: z.string(), version: z.number().int() }),
    openedAt: z.string(),
    triagedAt: z.string().optional(),
    resolvedAt: z.string().optional(),
    resolution: z.string().optional(),
    closedAt: z.string().optional(),
    closeReason: z.string().optional(),
    reopenCount: z.number().int(),
    downgradeCount: z.number().int(),
    lastEventAt: z.string(),
    relatedTicketId: z.string().optional(),
    clocks: z.array(SlaClockView),
  })
  .meta({ id: 'Ticket' });
export type TicketViewBody = z.infer<typeof TicketViewSchema>;

export const TicketSummarySchema = TicketViewSchema.pick({
  id: true,
  tenant: true,
  state: true,
  severity: true,
  category: true,
  plan: true,
  region: true,
  title: true,
  owner: true,
  escalationLevel: true,
  revision: true,
  openedAt: true,
  closedAt: true,
  lastEventAt: true,
})
  .extend({ breachAt: z.string().optional(), breached: z.boolean() })
  .meta({ id: 'TicketSummary' });
export const TicketPageSchema = z.object({ items: z.array(TicketSummarySchema), nextCursor: z.string().optional() });

export const HistoryEntrySchema = z.object({
  revision: z.number().int(),
  event: z.looseObject({ id: z.string(), type: z.string(), occurredAt: z.string() }),
  stateAfter: TicketViewSchema.omit({ clocks: true }),
});
export const HistorySchema = z.union([
  z.object({ ticketId: z.string(), events: z.array(HistoryEntrySchema) }),
  z.object({ ticketId: z.string(), at: z.string(), ticket: TicketViewSchema.omit({ clocks: true }) }),
]);

export const PhoneVerificationBody = z.object({ phone: Contact.shape.phone.unwrap() }).strict();
export const ConfirmVerificationBody = z.object({ code: z.string().regex(/^[0-9]{6}$/, 'the code is 6 digits') }).strict();
export const VerificationViewSchema = z
  .object({
    id: z.string(),
    tenant: z.string(),
    phone: z.string(),
    status: z.enum(['pending', 'confirmed', 'expired', 'locked']),
    requestedBy: z.string(),
    createdAt: z.string(),
    expiresAt: z.string(),
    attemptsLeft: z.number().int(),
    confirmedAt: z.string().optional(),
    confirmedBy: z.string().optional(),
    sentTo: z.string().optional(),
  })
  .meta({ id: 'PhoneVerification' });
export const RegisteredPhoneSchema = z.object({ tenant: z.string(), phone: z.string(), registered: z.literal(true) });

export const ClockBody = z.union([
  z.object({ set: IsoInstant }).strict(),
  z.object({ advance: z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, 'an ISO 8601 duration such as PT15M or P2D') }).strict(),
]);
export const ClockView = z.object({ now: z.string() });
