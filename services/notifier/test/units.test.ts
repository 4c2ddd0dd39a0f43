import { describe, expect, it } from '@jest/globals';
import type { TicketEvent } from '@caseflow/domain';
import type { PlannedMessage, TemplateKey, TicketProfile } from '../src/index.js';
import {
  DirectoryError,
  SUPPORTED_LANGUAGES,
  TEMPLATES,
  localize,
  parseDirectory,
  planNotifications,
  render,
  signWebhook,
  verifyWebhookSignature,
  zoneForRegion,
} from '../src/index.js';

describe('localization', () => {
  it('maps language tags to a template language and a date locale', () => {
    expect(localize('en')).toEqual({ language: 'en', locale: 'en' });
    expect(localize('ZH-cn')).toEqual({ language: 'zh-CN', locale: 'zh-CN' });
    expect(localize('zh-Hant-HK')).toEqual({ language: 'zh-TW', locale: 'zh-TW' });
    expect(localize('zh-HK')).toEqual({ language: 'zh-TW', locale: 'zh-TW' });
    expect(localize('zh-SG')).toEqual({ language: 'zh-CN', locale: 'zh-CN' });
    expect(localize('zh')).toEqual({ language: 'zh-CN', locale: 'zh-CN' });
    expect(localize('de-AT')).toEqual({ language: 'de', locale: 'de-AT' });
    expect(localize('pl-PL')).toEqual({ language: 'pl', locale: 'pl-PL' });
    expect(localize('fr')).toEqual({ language: 'en', locale: 'en' });
    expect(localize(undefined)).toEqual({ language: 'en', locale: 'en' });
  });

  it('takes the zone from the region, UTC when unknown', () => {
    expect(zoneForRegion('US')).toBe('America/New_York');
    expect(zoneForRegion('CA')).toBe('America/Toronto');
    expect(zoneForRegion('GB')).toBe('Europe/London');
    expect(zoneForRegion('AU')).toBe('Australia/Sydney');
    expect(zoneForRegion('DE')).toBe('Europe/Berlin');
    expect(zoneForRegion('PL')).toBe('Europe/Warsaw');
    expect(zoneForRegion('CN')).toBe('Asia/Shanghai');
    expect(zoneForRegion('TW')).toBe('Asia/Taipei');
    expect(zoneForRegion('FR')).toBe('UTC');
    expect(zoneForRegion(undefined)).toBe('UTC');
  });
});

describe('templates', () => {
  const everything = {
    ticketId: 'T-1', title: 'Mail flow down', tenant: 'contoso', severity: 'B', date: 'DATE', text: 'TEXT', summary: 'SUMMARY', reason: 'REASON',
    from: 'A', to: 'B', level: '2', clock: 'initialResponse', owner: 'Kim', queue: 'exchange', actor: 'sam', visibility: 'VIS',
  };

  it('has every message in every language, each using only known placeholders', () => {
    for (const key of Object.keys(TEMPLATES) as TemplateKey[]) {
      for (const language of SUPPORTED_LANGUAGES) {
        const { subject, text } = render(key, language, everything);
        expect(subject).not.toMatch(/[{}]/);
        expect(text).not.toMatch(/[{}]/);
        expect(subject).toContain('[T-1]');
        expect(text).toContain('T-1');
        if (key !== 'owner.customerReplied' && key !== 'owner.noteAdded' && key !== 'owner.reopened') expect(text).toContain('DATE');
      }
    }
  });

  it('leaves out lines whose values are missing, and never expands placeholders inside values', () => {
    const closed = render('customer.TicketClosed', 'de', { ticketId: 'T-1', title: '{ticketId}', date: '1. Mai', reason: 'storniert' });
    expect(closed.text).not.toContain('Kommentar');
    expect(closed.text).toContain('„{ticketId}“');
    expect(closed.text).toContain('Grund: storniert');
    expect(closed.text.endsWith('— Ihr Support-Team\n')).toBe(true);
  });
});

describe('webhook signatures', () => {
  const body = '{"eventId":"e1"}';
  const secret = 'whsec_0123456789abcdef';
  const now = new Date('2026-11-02T09:00:00Z');
  const timestamp = String(now.getTime() / 1000);

  it('accepts the signature of the exact body and a fresh timestamp', () => {
    const signature = signWebhook(secret, timestamp, body);
    expect(verifyWebhookSignature({ body, secret, signature, timestamp, now })).toBe(true);
    expect(verifyWebhookSignature({ body: Buffer.from(body), secret, signature: [signature], timestamp: [timestamp], now })).toBe(true);
  });

  it('refuses another secret, another body, another timestamp, a stale timestamp and garbage', () => {
    const signature = signWebhook(secret, timestamp, body);
    expect(verifyWebhookSignature({ body, secret: 'whsec_other_000000000', signature, timestamp, now })).toBe(false);
    expect(verifyWebhookSignature({ body: '{"eventId":"e2"}', secret, signature, timestamp, now })).toBe(false);
    expect(verifyWebhookSignature({ body, secret, signature, timestamp: String(Number(timestamp) + 1), now })).toBe(false);
    expect(verifyWebhookSignature({ body, secret, signature, timestamp, now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(verifyWebhookSignature({ body, secret, signature, timestamp, now: new Date(now.getTime() + 301_000), toleranceSeconds: Infinity })).toBe(true);
    expect(verifyWebhookSignature({ body, secret, signature: 'sha256=00', timestamp, now })).toBe(false);
    expect(verifyWebhookSignature({ body, secret, signature: undefined, timestamp, now })).toBe(false);
    expect(verifyWebhookSignature({ body, secret, signature, timestamp: 'yesterday', now })).toBe(false);
  });
});

describe('directory', () => {
  it('accepts a valid directory', () => {
    const directory = parseDirectory({
      tenants: { contoso: { webhooks: [{ url: 'https://hooks.contoso.example/caseflow', secret: 'whsec_0123456789abcdef', events: ['TicketOpened'] }] } },
      agents: { sam: { email: 'sam@support.example', language: 'de', zone: 'Europe/Berlin' } },
      dutySupervisor: { email: 'duty@support.example' },
    });
    expect(directory.tenants.contoso?.webhooks[0]?.events).toEqual(['TicketOpened']);
    expect(directory.agents.sam?.zone).toBe('Europe/Berlin');
  });

  it('names every problem by its path', () => {
    let error: unknown;
    try {
      parseDirectory({
        tenants: { contoso: { webhooks: [{ url: 'ftp://x', secret: 'short', events: ['TicketExploded'] }] } },
        agents: { sam: { email: 'not-an-address', zone: 'Mars/Olympus' } },
        dutySupervisor: 'duty@support.example',
        extra: true,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DirectoryError);
    expect([...(error as DirectoryError).issues].sort()).toEqual([
      '(root).extra: unknown field',
      'agents.sam.email: must be an email address',
      'agents.sam.zone: unknown time zone Mars/Olympus',
      'dutySupervisor: must be an object with an email',
      'tenants.contoso.webhooks.0.events.0: unknown event type TicketExploded',
      'tenants.contoso.webhooks.0.secret: must be a string of at least 16 characters',
      'tenants.contoso.webhooks.0.url: must be an http or https URL',
    ]);
  });
});

describe('who hears what', () => {
  const profile: TicketProfile = {
    ticketId: 't1', tenant: 'contoso', region: 'DE', language: 'de', title: 'Mail flow down', severity: 'B',
    contact: { email: 'alice@contoso.example', preferred: 'email' }, owner: 'kim',
  };
  const directory = parseDirectory({
    tenants: { contoso: { webhooks: [{ url: 'https://hooks.contoso.example/all', secret: 'whsec_0123456789abcdef' }, { url: 'https://hooks.contoso.example/closed', secret: 'whsec_0123456789abcdef', events: ['TicketClosed'] }] } },
    agents: { kim: { email: 'kim@support.example' } },
    dutySupervisor: { email: 'kim@support.example' },
  });
  const event = (type: string, data: Record<string, unknown>, actor = { id: 'sam', role: 'agent', tenant: 'support' }) =>
    ({ id: '00000000-0000-4000-8000-000000000001', type, version: 1, ticketId: 't1', occurredAt: '2026-11-02T09:00:00Z', actor, commandId: 'c', correlationId: 'c', causationId: 'c', data }) as TicketEvent;
  const who = (e: TicketEvent) => planNotifications({ event: e, profile, directory }).map((n) => `${n.audience}:${n.channel}:${n.recipient}`);

  it('keeps internal notes from the customer and the webhooks, and customer notes from the customer', () => {
    expect(who(event('NoteAdded', { text: 'x', visibility: 'internal' }))).toEqual(['owner:email:kim@support.example']);
    expect(who(event('NoteAdded', { text: 'x', visibility: 'public' }))).toEqual([
      'owner:email:kim@support.example',
      'customer:email:alice@contoso.example',
      'tenant:webhook:https://hooks.contoso.example/all',
    ]);
    expect(who(event('NoteAdded', { text: 'x', visibility: 'public' }, { id: 'alice', role: 'customer-admin', tenant: 'contoso' }))).toEqual([
      'owner:email:kim@support.example',
      'tenant:webhook:https://hooks.contoso.example/all',
    ]);
  });

  it('never tells the owner about their own acts, and sends one message when the owner is also the duty supervisor', () => {
    expect(who(event('NoteAdded', { text: 'x', visibility: 'internal' }, { id: 'kim', role: 'agent', tenant: 'support' }))).toEqual([]);
    const breach = planNotifications({ event: event('TicketEscalated', { level: 2 }, { id: 'sla', role: 'service', tenant: 'support' }), profile, directory });
    expect(breach.map((n) => (n as PlannedMessage).template ?? n.channel)).toEqual(['supervisor.breached', 'webhook']);
    expect(breach.map((n) => n.channel)).toEqual(['email', 'webhook']);
  });

  it('filters webhooks by event type', () => {
    expect(who(event('TicketClosed', { reason: 'cancelled' }))).toEqual([
      'customer:email:alice@contoso.example',
      'tenant:webhook:https://hooks.contoso.example/all',
      'tenant:webhook:https://hooks.contoso.example/closed',
    ]);
    const [closed] = planNotifications({ event: event('TicketClosed', { reason: 'cancelled' }), profile, directory }) as PlannedMessage[];
    expect(closed?.message.text).toContain('Grund: storniert');
    expect(closed?.message.text).toContain('2. November 2026 um 10:00 MEZ');
  });
});
