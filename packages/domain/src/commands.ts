import { z } from 'zod';
import { Actor, Category, CloseReason, Contact, Language, Plan, Region, Severity, TenantId, TicketId } from './model.js';

const text = z.string().trim().min(1).max(20_000);

const commandBase = {
  /** Idempotency key: the same command id never takes effect twice. */
  commandId: z.string().min(1).max(200),
  ticketId: TicketId,
  actor: Actor,
  correlationId: z.string().min(1).max(200).optional(),
  causationId: z.string().min(1).max(200).optional(),
};

function command<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.object({ type: z.literal(type), ...commandBase, ...shape }).strict();
}

export const OpenTicket = command('open', {
  tenant: TenantId,
  plan: Plan,
  region: Region,
  advancedAgreement: z.boolean().default(false),
  category: Category,
  severity: Severity,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000).default(''),
  contact: Contact,
  language: Language,
  /** A closed ticket past its reopen window is followed up by a new one that links it. */
  relatedTicketId: TicketId.optional(),
});
export const TriageTicket = command('triage', {
  severity: Severity.optional(),
  category: Category.optional(),
  owner: z.string().min(1).max(200).optional(),
  queue: z.string().min(1).max(200).optional(),
  text: text.optional(),
});
export const RequestInfo = command('request-info', { text: text.optional() });
export const CustomerReply = command('customer-reply', { text: text.optional() });
export const DowngradeTicket = command('downgrade', { reason: z.string().trim().min(1).max(500) });
export const ResolveTicket = command('resolve', { text });
export const CloseTicket = command('close', { reason: CloseReason.optional(), text: text.optional() });
export const ReopenTicket = command('reopen', { text: text.optional() });
export const AddNote = command('note', { text, visibility: z.enum(['public', 'internal']).default('public') });
export const AssignTicket = command('assign', {
  owner: z.string().min(1).max(200),
  queue: z.string().min(1).max(200).optional(),
});
export const EscalateTicket = command('escalate', {
  level: z.number().int().min(1).max(9),
  clock: z.string().min(1).max(100).optional(),
  reason: z.string().trim().min(1).max(500).optional(),
});
export const ChangeSeverity = command('change-severity', {
  severity: Severity,
  reason: z.string().trim().min(1).max(500).optional(),
});

export const Command = z.discriminatedUnion('type', [
  OpenTicket,
  TriageTicket,
  RequestInfo,
  CustomerReply,
  DowngradeTicket,
  ResolveTicket,
  CloseTicket,
  ReopenTicket,
  AddNote,
  AssignTicket,
  EscalateTicket,
  ChangeSeverity,
]);
export type Command = z.infer<typeof Command>;
/** What a caller sends: defaults (such as `advancedAgreement: false`) may be left out. */
export type CommandInput = z.input<typeof Command>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export const COMMAND_TYPES: CommandType[] = Command.options.map((o) => o.shape.type.value);
