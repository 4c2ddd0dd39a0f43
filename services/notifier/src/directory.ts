import type { TicketEventType } from '@caseflow/domain';
import { TICKET_EVENT_TYPES } from '@caseflow/domain';
import { isKnownZone } from './locale.js';

/**
 * Who the notifier can reach besides the customer: agents by id (a ticket's owner is an agent
 * id), the duty supervisor (globally, or per tenant), and each tenant's webhooks. A plain object,
 * checked by `parseDirectory` at startup so a typo fails loudly instead of silently not notifying.
 */
export interface Person {
  email: string;
  /** How messages greet them; the id or address when absent. */
  name?: string;
  /** Template language (BCP 47); English when absent. */
  language?: string;
  /** IANA zone for the dates in their messages; UTC when absent. */
  zone?: string;
}

export interface WebhookEndpoint {
  /** http(s) URL that receives a POST per event. */
  url: string;
  /** Shared secret for the HMAC-SHA256 signature (at least 16 characters). */
  secret: string;
  /** Only these event types; all (but internal notes) when absent. */
  events?: TicketEventType[];
}

export interface TenantSettings {
  webhooks: WebhookEndpoint[];
  /** Overrides the global duty supervisor for this tenant's breaches. */
  dutySupervisor?: Person;
}

export interface Directory {
  tenants: Record<string, TenantSettings>;
  agents: Record<string, Person>;
  dutySupervisor?: Person;
}

export const EMPTY_DIRECTORY: Directory = { tenants: {}, agents: {} };

export class DirectoryError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid notifier directory: ${issues.join('; ')}`);
    this.name = 'DirectoryError';
  }
}

const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

type Issues = string[];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) issues.push(`${path}.${key}: unknown field`);
}

function optionalString(value: Record<string, unknown>, key: string, path: string, issues: Issues): string | undefined {
  const v = value[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    issues.push(`${path}.${key}: must be a non-empty string`);
    return undefined;
  }
  return v;
}

function parsePerson(value: unknown, path: string, issues: Issues): Person | undefined {
  if (!isObject(value)) {
    issues.push(`${path}: must be an object with an email`);
    return undefined;
  }
  unknownKeys(value, ['email', 'name', 'language', 'zone'], path, issues);
  const email = value.email;
  if (typeof email !== 'string' || !EMAIL.test(email)) issues.push(`${path}.email: must be an email address`);
  const name = optionalString(value, 'name', path, issues);
  const language = optionalString(value, 'language', path, issues);
  if (language !== undefined && !/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(language)) issues.push(`${path}.language: must be a BCP 47 tag such as en or zh-CN`);
  const zone = optionalString(value, 'zone', path, issues);
  if (zone !== undefined && !isKnownZone(zone)) issues.push(`${path}.zone: unknown time zone ${zone}`);
  if (typeof email !== 'string') return undefined;
  return { email, ...(name === undefined ? {} : { name }), ...(language === undefined ? {} : { language }), ...(zone === undefined ? {} : { zone }) };
}

function parseWebhook(value: unknown, path: string, issues: Issues): WebhookEndpoint | undefined {
  if (!isObject(value)) {
    issues.push(`${path}: must be an object with url and secret`);
    return undefined;
  }
  unknownKeys(value, ['url', 'secret', 'events'], path, issues);
  const { url, secret, events } = value;
  let urlOk = false;
  try {
    urlOk = typeof url === 'string' && ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    urlOk = false;
  }
  if (!urlOk) issues.push(`${path}.url: must be an http or https URL`);
  if (typeof secret !== 'string' || secret.length < 16) issues.push(`${path}.secret: must be a string of at least 16 characters`);
  let types: TicketEventType[] | undefined;
  if (events !== undefined) {
    if (!Array.isArray(events)) issues.push(`${path}.events: must be a list of event types`);
    else {
      types = [];
      events.forEach((type, i) => {
        if (typeof type === 'string' && (TICKET_EVENT_TYPES as string[]).includes(type)) types?.push(type as TicketEventType);
        else issues.push(`${path}.events.${i}: unknown event type ${String(type)}`);
      });
    }
  }
  if (!urlOk || typeof url !== 'string' || typeof secret !== 'string') return undefined;
  return { url, secret, ...(types === undefined ? {} : { events: types }) };
}

/**
 * Checks a directory (from a config file or an object) and returns it typed. Throws
 * DirectoryError naming every problem by its path, e.g. `tenants.contoso.webhooks.0.secret`.
 */
export function parseDirectory(input: unknown): Directory {
  const issues: Issues = [];
  if (!isObject(input)) throw new DirectoryError(['(root): must be an object']);
  unknownKeys(input, ['tenants', 'agents', 'dutySupervisor'], '(root)', issues);
  const directory: Directory = { tenants: {}, agents: {} };

  if (input.tenants !== undefined) {
    if (!isObject(input.tenants)) issues.push('tenants: must be an object keyed by tenant id');
    else
      for (const [tenant, settings] of Object.entries(input.tenants)) {
        const path = `tenants.${tenant}`;
        if (!isObject(settings)) {
          issues.push(`${path}: must be an object`);
          continue;
        }
        unknownKeys(settings, ['webhooks', 'dutySupervisor'], path, issues);
        const webhooks: WebhookEndpoint[] = [];
        if (settings.webhooks !== undefined && !Array.isArray(settings.webhooks)) issues.push(`${path}.webhooks: must be a list`);
        else
          (settings.webhooks ?? []).forEach((hook: unknown, i: number) => {
            const parsed = parseWebhook(hook, `${path}.webhooks.${i}`, issues);
            if (parsed !== undefined) webhooks.push(parsed);
          });
        const supervisor = settings.dutySupervisor === undefined ? undefined : parsePerson(settings.dutySupervisor, `${path}.dutySupervisor`, issues);
        directory.tenants[tenant] = { webhooks, ...(supervisor === undefined ? {} : { dutySupervisor: supervisor }) };
      }
  }
  if (input.agents !== undefined) {
    if (!isObject(input.agents)) issues.push('agents: must be an object keyed by agent id');
    else
      for (const [id, agent] of Object.entries(input.agents)) {
        const parsed = parsePerson(agent, `agents.${id}`, issues);
        if (parsed !== undefined) directory.agents[id] = parsed;
      }
  }
  if (input.dutySupervisor !== undefined) {
    const supervisor = parsePerson(input.dutySupervisor, 'dutySupervisor', issues);
    if (supervisor !== undefined) directory.dutySupervisor = supervisor;
  }
  if (issues.length > 0) throw new DirectoryError(issues);
  return directory;
}
