import { z } from 'zod';
import { Category, CloseReason, Contact, IsoInstant, Language, Plan, Region, Role, Severity, TenantId, TicketId } from './model.js';

/** Who did it, as recorded on every event. Partner delegations are checked, not recorded. */
export const RecordedActor = z.object({ id: z.string(), role: Role, tenant: TenantId }).strict();
export type RecordedActor = z.infer<typeof RecordedActor>;

export const PolicyRef = z.object({ id: z.string().min(1), version: z.number().int().nonnegative() }).strict();
export type PolicyRef = z.infer<typeof PolicyRef>;

const optionalText = z.string().optional();

/** The payload of every event type at its current version. */
export const EVENT_DATA = {
  TicketOpened: z
    .object({
      tenant: TenantId,
      plan: Plan,
      region: Region,
      advancedAgreement: z.boolean(),
      category: Category,
      severity: Severity,
      title: z.string(),
      description: z.string(),
      contact: Contact,
      language: Language,
      /** The SLA policy pinned at open, so replays stay exact after the default policy changes. */
      policy: PolicyRef,
      /**
       * The closed ticket this request follows up (v2; v1 called it `relatedTicketId`). A ticket
       * closed longer than its reopen window cannot be reopened, so its customer opens a new
       * request that links it: analysts count these as refused reopens.
       */
      followUpOf: TicketId.optional(),
    })
    .strict(),
  TicketTriaged: z
    .object({ severity: Severity, category: Category, owner: z.string().optional(), queue: z.string().optional(), text: optionalText })
    .strict(),
  InfoRequested: z.object({ text: optionalText }).strict(),
  CustomerReplied: z.object({ text: optionalText }).strict(),
  TicketDowngraded: z.object({ from: Severity, to: Severity, reason: z.string() }).strict(),
  TicketResolved: z.object({ summary: z.string() }).strict(),
  TicketClosed: z.object({ reason: CloseReason, text: optionalText }).strict(),
  TicketReopened: z.object({ text: optionalText }).strict(),
  NoteAdded: z.object({ text: z.string(), visibility: z.enum(['public', 'internal']) }).strict(),
  TicketAssigned: z.object({ owner: z.string(), queue: z.string().optional() }).strict(),
  TicketEscalated: z
    .object({ level: z.number().int().min(1), clock: z.string().optional(), reason: z.string().optional() })
    .strict(),
  SeverityChanged: z.object({ from: Severity, to: Severity, reason: z.string().optional() }).strict(),
} as const;

export type TicketEventType = keyof typeof EVENT_DATA;
export const TICKET_EVENT_TYPES = Object.keys(EVENT_DATA) as TicketEventType[];

/** Current schema version of each event type. Older stored versions are upcast on read. */
export const EVENT_VERSIONS: Record<TicketEventType, number> = {
  TicketOpened: 2,
  TicketTriaged: 1,
  InfoRequested: 1,
  CustomerReplied: 1,
  TicketDowngraded: 1,
  TicketResolved: 1,
  TicketClosed: 1,
  TicketReopened: 1,
  NoteAdded: 1,
  TicketAssigned: 1,
  TicketEscalated: 1,
  SeverityChanged: 1,
};

const envelopeFields = {
  id: z.uuid(),
  ticketId: TicketId,
  occurredAt: IsoInstant,
  actor: RecordedActor,
  commandId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
};

function envelope<T extends TicketEventType>(type: T) {
  return z.object({ ...envelopeFields, type: z.literal(type), version: z.number().int().min(1), data: EVENT_DATA[type] }).strict();
}

/** A ticket event at its current version, as `decide` produces and `evolve` consumes it. */
export const TicketEvent = z.discriminatedUnion('type', [
  envelope('TicketOpened'),
  envelope('TicketTriaged'),
  envelope('InfoRequested'),
  envelope('CustomerReplied'),
  envelope('TicketDowngraded'),
  envelope('TicketResolved'),
  envelope('TicketClosed'),
  envelope('TicketReopened'),
  envelope('NoteAdded'),
  envelope('TicketAssigned'),
  envelope('TicketEscalated'),
  envelope('SeverityChanged'),
]);

export type EventData<T extends TicketEventType> = z.infer<(typeof EVENT_DATA)[T]>;
export type TicketEvent = z.infer<typeof TicketEvent>;
export type TicketEventOf<T extends TicketEventType> = Extract<TicketEvent, { type: T }>;
