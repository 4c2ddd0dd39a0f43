import type { Role } from '@caseflow/domain';
import type { z } from 'zod';
import type { TenantDirectory } from './schema.js';
import { parseTenantDirectory } from './schema.js';

/** A person `caseflow start` lets you act as in dev mode. */
export interface DevUser {
  name: string;
  role: Role;
  tenant: string;
  delegations?: string[];
}

const PARTNER_ORG = 'adatum-partners';
const SUPPORT_ORG = 'support';

/**
 * One customer on every plan, in the regions and languages of the source documents (Office 365
 * Germany, Poland, 21Vianet in mainland China, Taiwan), a partner org holding delegations for two
 * of them, and the support organisation itself. Addresses use the reserved `.example` domain and
 * fictional 555 numbers.
 */
const DEV_DIRECTORY: z.input<typeof TenantDirectory> = {
  tenants: {
    contoso: {
      name: 'Contoso Ltd.',
      plan: 'enterprise',
      region: 'US',
      language: 'en',
      contacts: [
        { name: 'Alice Smith', email: 'alice@contoso.example', phone: '+1 425 555 0100', role: 'admin' },
        { name: 'Bob Jones', email: 'bob@contoso.example', role: 'user' },
      ],
      partners: [PARTNER_ORG],
    },
    fabrikam: {
      name: 'Fabrikam GmbH',
      plan: 'business',
      region: 'DE',
      language: 'de',
      contacts: [{ name: 'Eva Müller', email: 'eva@fabrikam.example', phone: '+49 30 5550 1234', role: 'admin' }],
      partners: [PARTNER_ORG],
    },
    northwind: {
      name: 'Northwind Traders sp. z o.o.',
      plan: 'frontline',
      region: 'PL',
      language: 'pl',
      contacts: [{ name: 'Piotr Nowak', email: 'piotr@northwind.example', phone: '+48 22 555 01 00', role: 'admin' }],
    },
    tailspin: {
      name: 'Tailspin Toys',
      plan: 'elevated',
      region: 'US',
      language: 'en',
      contacts: [{ name: 'Tom Baker', email: 'tom@tailspin.example', phone: '+1 206 555 0142', role: 'admin' }],
    },
    'wingtip-cn': {
      name: '翼尖玩具（上海）有限公司',
      plan: '21vianet',
      region: 'CN',
      language: 'zh-CN',
      advancedAgreement: true,
      contacts: [
        { name: '李娜', email: 'li@wingtip-cn.example', phone: '+86 21 5555 0100', role: 'admin' },
        { name: '王伟', email: 'wang@wingtip-cn.example', role: 'user' },
      ],
    },
    'litware-tw': {
      name: '力特軟體股份有限公司',
      plan: 'business',
      region: 'TW',
      language: 'zh-TW',
      contacts: [{ name: '陳美玲', email: 'mei@litware-tw.example', phone: '+886 2 5555 0100', role: 'admin' }],
    },
    [PARTNER_ORG]: {
      name: 'Adatum Partners',
      kind: 'partner',
      plan: 'business',
      region: 'US',
      language: 'en',
      contacts: [{ name: 'Pat Lee', email: 'pat@adatum-partners.example', phone: '+1 312 555 0177', role: 'admin' }],
    },
    [SUPPORT_ORG]: {
      name: 'caseflow support',
      kind: 'support',
      plan: 'enterprise',
      region: 'US',
      language: 'en',
    },
  },
};

const DEV_USERS: readonly DevUser[] = [
  { name: 'alice@contoso', role: 'customer-admin', tenant: 'contoso' },
  { name: 'bob@contoso', role: 'customer-user', tenant: 'contoso' },
  { name: 'eva@fabrikam', role: 'customer-admin', tenant: 'fabrikam' },
  { name: 'piotr@northwind', role: 'customer-admin', tenant: 'northwind' },
  { name: 'tom@tailspin', role: 'customer-admin', tenant: 'tailspin' },
  { name: 'li@wingtip-cn', role: 'customer-admin', tenant: 'wingtip-cn' },
  { name: 'wang@wingtip-cn', role: 'customer-user', tenant: 'wingtip-cn' },
  { name: 'mei@litware-tw', role: 'customer-admin', tenant: 'litware-tw' },
  { name: `pat@${PARTNER_ORG}`, role: 'partner', tenant: PARTNER_ORG, delegations: ['contoso', 'fabrikam'] },
  { name: `sam@${SUPPORT_ORG}`, role: 'agent', tenant: SUPPORT_ORG },
  { name: `sue@${SUPPORT_ORG}`, role: 'supervisor', tenant: SUPPORT_ORG },
  { name: `ana@${SUPPORT_ORG}`, role: 'analyst', tenant: SUPPORT_ORG },
  { name: 'sla-timer', role: 'service', tenant: SUPPORT_ORG },
  { name: 'notifier', role: 'service', tenant: SUPPORT_ORG },
];

/** The demo world `caseflow start` creates in dev mode; a fresh copy each call. */
export function devDirectory(): TenantDirectory {
  return parseTenantDirectory(DEV_DIRECTORY, 'dev tenant directory');
}

/** Users of every role across the dev directory's tenants; a fresh copy each call. */
export function devUsers(): DevUser[] {
  return DEV_USERS.map((user) => structuredClone(user));
}
