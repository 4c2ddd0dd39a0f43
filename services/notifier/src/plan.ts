import { createHash } from 'node:crypto';
import type { TicketEvent } from '@caseflow/domain';
import type { Directory, Person } from './directory.js';
import type { Audience, Channel, NotificationSubject, TicketProfile } from './ledger.js';
import type { Localization } from './locale.js';
import { formatInstant, localize, zoneForRegion } from './locale.js';
import type { CustomerEvent, MessageKey, RenderedMessage, TemplateKey, TemplateValues } from './templates.js';
import { CLOSE_REASONS, CUSTOMER_EVENTS, NOTE_VISIBILITY, render } from './templates.js';

/** One notification an event (or a verification code) calls for: who, over which channel, saying what. */
export interface PlannedBase extends NotificationSubject {
  /** Stable id of (event id, recipient, channel): the ledger key, Message-ID and webhook delivery id. */
  id: string;
  /** The ticket event's id, or for a verification code the verification id. */
  eventId: string;
  tenant: string;
  audience: Audience;
  channel: Channel;
  /** Email address, phone number or webhook URL. */
  recipient: string;
}

export interface PlannedMessage extends PlannedBase {
  channel: 'email' | 'callback';
  template: MessageKey;
  language: Localization['language'];
  locale: string;
  zone: string;
  message: RenderedMessage;
}

export interface PlannedWebhook extends PlannedBase {
  channel: 'webhook';
  audience: 'tenant';
  secret: string;
  /** The JSON body, fixed at planning time so every retry sends (and signs) the same bytes. */
  body: string;
}

export type PlannedNotification = PlannedMessage | PlannedWebhook;

/** The body a tenant webhook receives. */
export interface WebhookPayload {
  /** The delivery id (also in `x-caseflow-delivery`): the same on every retry. */
  id: string;
  eventId: string;
  type: TicketEvent['type'];
  ticketId: string;
  tenant: string;
  occurredAt: string;
  /** The event's revision in its ticket's stream, when known. */
  revision?: number;
  /** The event envelope at its current version. */
  event: TicketEvent;
}

export function notificationId(eventId: string, channel: Channel, recipient: string): string {
  return createHash('sha256').update(`${eventId}\n${channel}\n${recipient}`).digest('hex').slice(0, 32);
}

const CUSTOMER_ROLES = new Set(['customer-admin', 'customer-user', 'partner']);

const isCustomerEvent = (type: string): type is CustomerEvent => (CUSTOMER_EVENTS as readonly string[]).includes(type);

/** A breach is an escalation to level 2 (level 1 is the warning); higher levels are breaches too. */
export const BREACH_LEVEL = 2;

/** The event's own words for the templates: free text, reasons, levels. */
function eventValues(event: TicketEvent, language: Localization['language']): Record<string, string | undefined> {
  switch (event.type) {
    case 'TicketTriaged':
    case 'InfoRequested':
    case 'CustomerReplied':
    case 'TicketReopened':
    case 'NoteAdded':
      return { text: event.data.text, ...(event.type === 'NoteAdded' ? { visibility: NOTE_VISIBILITY[language][event.data.visibility] } : {}) };
    case 'TicketClosed':
      return { text: event.data.text, reason: CLOSE_REASONS[language][event.data.reason] };
    case 'TicketResolved':
      return { summary: event.data.summary };
    case 'TicketDowngraded':
      return { from: event.data.from, to: event.data.to, reason: event.data.reason };
    case 'SeverityChanged':
      return { from: event.data.from, to: event.data.to, reason: event.data.reason };
    case 'TicketEscalated':
      return { level: String(event.data.level), clock: event.data.clock, reason: event.data.reason };
    case 'TicketAssigned':
      return { queue: event.data.queue };
    case 'TicketOpened':
      return {};
  }
}

export interface PlanInput {
  event: TicketEvent;
  /** The ticket as of this event (the event folded in). */
  profile: TicketProfile;
  directory: Directory;
  revision?: number;
}

/**
 * Who hears what about an event; pure.
 *
 * - The customer contact, by preferred method (email, or a callback task for phone), hears about
 *   the lifecycle: open (acknowledgement), triage (first response), information requests,
 *   downgrades, severity changes, resolve, close, reopen, and public notes written by staff.
 * - The owner agent hears about assignment to them, customer replies, notes by others, reopens,
 *   SLA warnings (escalation level 1) and breaches (level 2 and up), never about their own acts.
 * - The duty supervisor (the tenant's, else the global one) hears about breaches.
 * - Each tenant webhook gets every event of its tenant except internal notes (optionally only
 *   the event types it lists).
 *
 * One notification per (recipient, channel): when a supervisor is also the owner, the breach
 * message to the supervisor is the one sent.
 */
export function planNotifications({ event, profile, directory, revision }: PlanInput): PlannedNotification[] {
  const planned: PlannedNotification[] = [];
  const seen = new Set<string>();
  const base = (audience: Audience, channel: Channel, recipient: string): PlannedBase => ({
    id: notificationId(event.id, channel, recipient),
    eventId: event.id,
    ticketId: event.ticketId,
    tenant: profile.tenant,
    audience,
    channel,
    recipient,
  });
  const add = (notification: PlannedNotification) => {
    const key = `${notification.channel}\n${notification.recipient}`;
    if (seen.has(key)) return;
    seen.add(key);
    planned.push(notification);
  };
  const common = { ticketId: event.ticketId, title: profile.title, tenant: profile.tenant, severity: profile.severity };
  const message = (audience: Audience, channel: 'email' | 'callback', recipient: string, template: TemplateKey, who: Localization & { zone: string }, extra: TemplateValues = {}): PlannedMessage => ({
    ...base(audience, channel, recipient),
    channel,
    template,
    language: who.language,
    locale: who.locale,
    zone: who.zone,
    message: render(template, who.language, {
      ...common,
      ...eventValues(event, who.language),
      date: formatInstant(event.occurredAt, who.zone, who.locale),
      actor: event.actor.id,
      ...extra,
    }),
  });
  const staff = (person: Person) => ({ ...localize(person.language), zone: person.zone ?? 'UTC' });

  // Duty supervisor first: on a breach, their message wins over any other to the same address.
  if (event.type === 'TicketEscalated' && event.data.level >= BREACH_LEVEL) {
    const supervisor = directory.tenants[profile.tenant]?.dutySupervisor ?? directory.dutySupervisor;
    if (supervisor !== undefined) {
      const owner = profile.owner === undefined ? undefined : (directory.agents[profile.owner]?.name ?? profile.owner);
      add(message('supervisor', 'email', supervisor.email, 'supervisor.breached', staff(supervisor), { owner }));
    }
  }

  // The owner agent.
  const ownerTemplate = ((): TemplateKey | undefined => {
    const owner = profile.owner;
    if (owner === undefined || event.actor.id === owner) return undefined;
    switch (event.type) {
      case 'TicketTriaged':
        return event.data.owner === owner ? 'owner.assigned' : undefined;
      case 'TicketAssigned':
        return 'owner.assigned';
      case 'CustomerReplied':
        return 'owner.customerReplied';
      case 'NoteAdded':
        return 'owner.noteAdded';
      case 'TicketReopened':
        return 'owner.reopened';
      case 'TicketEscalated':
        return event.data.level >= BREACH_LEVEL ? 'owner.breached' : 'owner.escalated';
      default:
        return undefined;
    }
  })();
  if (ownerTemplate !== undefined && profile.owner !== undefined) {
    const agent = directory.agents[profile.owner];
    if (agent !== undefined) add(message('owner', 'email', agent.email, ownerTemplate, staff(agent), { owner: agent.name ?? profile.owner, queue: profile.queue }));
  }

  // The customer contact.
  const toCustomer =
    isCustomerEvent(event.type) && !(event.type === 'NoteAdded' && (event.data.visibility !== 'public' || CUSTOMER_ROLES.has(event.actor.role)));
  if (toCustomer) {
    const customer = { ...localize(profile.language), zone: zoneForRegion(profile.region) };
    const template = `customer.${event.type}` as TemplateKey;
    const { contact } = profile;
    if (contact.preferred === 'email' && contact.email !== undefined) add(message('customer', 'email', contact.email, template, customer));
    else if (contact.preferred === 'phone' && contact.phone !== undefined) add(message('customer', 'callback', contact.phone, template, customer));
  }

  // Tenant webhooks.
  if (!(event.type === 'NoteAdded' && event.data.visibility === 'internal')) {
    for (const hook of directory.tenants[profile.tenant]?.webhooks ?? []) {
      if (hook.events !== undefined && !hook.events.includes(event.type)) continue;
      const notification = base('tenant', 'webhook', hook.url);
      const payload: WebhookPayload = {
        id: notification.id,
        eventId: event.id,
        type: event.type,
        ticketId: event.ticketId,
        tenant: profile.tenant,
        occurredAt: event.occurredAt,
        ...(revision === undefined ? {} : { revision }),
        event,
      };
      add({ ...notification, channel: 'webhook', audience: 'tenant', secret: hook.secret, body: JSON.stringify(payload) });
    }
  }
  return planned;
}

/** The ticket profile after an event, from the profile before it (undefined before TicketOpened). */
export function applyToProfile(profile: TicketProfile | undefined, event: TicketEvent): TicketProfile | undefined {
  if (event.type === 'TicketOpened') {
    const { tenant, region, language, title, severity, contact } = event.data;
    return { ticketId: event.ticketId, tenant, region, language, title, severity, contact };
  }
  if (profile === undefined) return undefined;
  switch (event.type) {
    case 'TicketTriaged':
      return {
        ...profile,
        severity: event.data.severity,
        ...(event.data.owner === undefined ? {} : { owner: event.data.owner }),
        ...(event.data.queue === undefined ? {} : { queue: event.data.queue }),
      };
    case 'TicketAssigned':
      return { ...profile, owner: event.data.owner, ...(event.data.queue === undefined ? {} : { queue: event.data.queue }) };
    case 'TicketDowngraded':
    case 'SeverityChanged':
      return { ...profile, severity: event.data.to };
    default:
      return profile;
  }
}
