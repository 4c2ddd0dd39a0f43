/**
 * Who the generated tickets are about and who works them: some forty customer tenants, each on one
 * plan in one region with its admins (and for some a partner with delegated rights), and the
 * support staff by region. Drawn from the seed, so the same seed gives the same people.
 */
import type { Actor, Category, Contact, Plan } from '@caseflow/domain';
import type { Random } from './random.js';

const REGIONS = ['US', 'GB', 'DE', 'FR', 'AU', 'JP', 'IN', 'BR', 'CN'] as const;
type GeneratedRegion = (typeof REGIONS)[number];

interface RegionFacts {
  language: string;
  /** Hours from UTC, standard time: enough to lean arrivals towards the customer's working day. */
  utcOffset: number;
  phonePrefix: string;
  /** Where the region's tickets are queued and who works them. */
  desk: 'americas' | 'emea' | 'apac' | 'china';
}

const REGION_FACTS: Record<GeneratedRegion, RegionFacts> = {
  US: { language: 'en', utcOffset: -5, phonePrefix: '+1 425 555', desk: 'americas' },
  BR: { language: 'pt-BR', utcOffset: -3, phonePrefix: '+55 11 5555', desk: 'americas' },
  GB: { language: 'en', utcOffset: 0, phonePrefix: '+44 20 7946', desk: 'emea' },
  DE: { language: 'de', utcOffset: 1, phonePrefix: '+49 30 5555', desk: 'emea' },
  FR: { language: 'fr', utcOffset: 1, phonePrefix: '+33 1 5555', desk: 'emea' },
  IN: { language: 'en', utcOffset: 5.5, phonePrefix: '+91 80 5555', desk: 'apac' },
  JP: { language: 'ja', utcOffset: 9, phonePrefix: '+81 3 5555', desk: 'apac' },
  AU: { language: 'en', utcOffset: 10, phonePrefix: '+61 2 5550', desk: 'apac' },
  CN: { language: 'zh-CN', utcOffset: 8, phonePrefix: '+86 10 5555', desk: 'china' },
};

const TENANT_NAMES = [
  'contoso', 'fabrikam', 'northwind', 'adventure-works', 'tailspin', 'woodgrove', 'litware', 'proseware',
  'wingtip', 'alpine-ski-house', 'fourth-coffee', 'margies-travel', 'relecloud', 'lamna', 'trey-research',
  'wide-world-importers', 'blue-yonder', 'coho-winery', 'lucerne-publishing', 'graphic-design-institute',
  'humongous-insurance', 'consolidated-messenger', 'city-power-light', 'southridge-video', 'datum',
  'bellows-college', 'fineartschool', 'nod-publishers', 'vanarsdel', 'woodgrove-bank', 'cronus',
  'munson-pickles', 'liberty-delightful', 'best-for-you-organics', 'first-up-consultants', 'tasmanian-traders',
  'contoso-pharma', 'fabrikam-residences', 'lakeshore-retail', 'northwind-health',
] as const;

/** How many tenants of each plan: every plan is represented, the common ones more often. */
const PLAN_MIX: readonly (readonly [Plan, number])[] = [
  ['business', 12],
  ['enterprise', 12],
  ['frontline', 5],
  ['elevated', 5],
  ['21vianet', 6],
];

const FIRST_NAMES = ['alice', 'bruno', 'chen', 'dana', 'emeka', 'fatima', 'greta', 'hiro', 'ines', 'jonas', 'kavya', 'liam', 'mei', 'noah', 'olga', 'priya'];

export interface CustomerAdmin {
  actor: Actor;
  contact: Contact;
}

export interface Tenant {
  id: string;
  plan: Plan;
  region: GeneratedRegion;
  language: string;
  utcOffset: number;
  /** 21Vianet only: the advanced online service agreement that offers severity A. */
  advancedAgreement: boolean;
  /** How many tickets it opens, relative to the others. */
  weight: number;
  admins: CustomerAdmin[];
  /** A partner holding delegated admin rights for it, if it has one. */
  partner: CustomerAdmin | undefined;
  desk: RegionFacts['desk'];
}

export interface Staff {
  agents: Actor[];
  supervisors: Actor[];
}

const SUPPORT_TENANT = 'support';

function admin(random: Random, tenant: string, region: GeneratedRegion, name: string): CustomerAdmin {
  const email = `${name}@${tenant}.example`;
  const phone = `${REGION_FACTS[region].phonePrefix} ${String(1000 + random.below(9000))}`;
  const contact: Contact = random.chance(0.15) ? { email, phone, preferred: 'phone' } : { email, preferred: 'email' };
  return { actor: { id: name, role: 'customer-admin', tenant }, contact };
}

/**
 * The tenants: every plan and every region occurs (21Vianet tenants are in CN, the others spread
 * over the other regions in turn), half of the 21Vianet tenants hold the advanced agreement (the
 * first always), and a few tenants open most of the tickets.
 */
export function makeTenants(random: Random): Tenant[] {
  const plans = random.shuffled(PLAN_MIX.flatMap(([plan, count]) => Array.from({ length: count }, () => plan)));
  const globalRegions = REGIONS.filter((region) => region !== 'CN');
  let nextRegion = random.below(globalRegions.length);
  let vianetTenants = 0;
  return plans.map((plan, i) => {
    const id = TENANT_NAMES[i % TENANT_NAMES.length] as string;
    const region: GeneratedRegion = plan === '21vianet' ? 'CN' : (globalRegions[nextRegion++ % globalRegions.length] as GeneratedRegion);
    const advancedAgreement = plan === '21vianet' && (vianetTenants++ === 0 || random.chance(0.5));
    const names = random.shuffled(FIRST_NAMES).slice(0, 1 + random.below(3));
    const facts = REGION_FACTS[region];
    const partnerTenant = `${id}-partner`;
    return {
      id,
      plan,
      region,
      language: facts.language,
      utcOffset: facts.utcOffset,
      advancedAgreement,
      weight: 1 / (1 + random.below(40)) ** 0.8,
      admins: names.map((name) => admin(random, id, region, name)),
      partner: random.chance(0.25)
        ? { actor: { id: 'desk', role: 'partner', tenant: partnerTenant, delegations: [id] }, contact: { email: `desk@${partnerTenant}.example`, preferred: 'email' } }
        : undefined,
      desk: facts.desk,
    };
  });
}

/** Seven agents and a supervisor on each desk. */
export function makeStaff(): Record<Tenant['desk'], Staff> {
  const desk = (name: Tenant['desk']): Staff => ({
    agents: Array.from({ length: 7 }, (_, i) => ({ id: `${name}-agent-${i + 1}`, role: 'agent', tenant: SUPPORT_TENANT })),
    supervisors: [{ id: `${name}-supervisor`, role: 'supervisor', tenant: SUPPORT_TENANT }],
  });
  return { americas: desk('americas'), emea: desk('emea'), apac: desk('apac'), china: desk('china') };
}

export const TITLES: Record<Category, readonly string[]> = {
  technical: [
    'Mail flow to external recipients delayed',
    'Users cannot sign in to Outlook on the web',
    'Teams meetings drop after a few minutes',
    'SharePoint site returns access denied',
    'OneDrive sync stuck on processing changes',
    'Mailbox migration batch failed',
    'Conditional access blocks the finance team',
    'DNS records for the custom domain not verified',
    'Shared mailbox permissions not applied',
    'Exchange connector certificate expired',
    'Calendar invites arrive without the meeting link',
    'Multi-factor prompts loop on mobile devices',
    'Retention policy deletes items too early',
    'Search in SharePoint returns no results',
  ],
  billing: [
    'Invoice shows licences we cancelled',
    'Credit card payment declined twice',
    'Need a copy of last quarter’s invoices',
    'Subscription renewal charged in the wrong currency',
    'Licence count does not match the order',
  ],
  presales: [
    'Which plan includes advanced eDiscovery?',
    'Trial extension for the pilot group',
    'Volume pricing for 500 seats',
    'Can we mix plans within one tenant?',
  ],
};

export const DESCRIPTIONS = [
  'Started this morning for several users.',
  'Affects the whole sales department.',
  'We changed nothing on our side before it began.',
  'Error message attached; happens every time.',
  '',
  '',
];

export const INFO_REQUESTS = [
  'Please send a message trace for one affected message.',
  'Could you share the exact error text and a screenshot?',
  'Which users are affected, and since when?',
  'Please run the connectivity analyzer and attach the report.',
  'Can you confirm the licence assigned to the affected users?',
];

export const CUSTOMER_REPLIES = [
  'Attached the trace you asked for.',
  'Screenshot attached; it affects about twenty users.',
  'The report is attached. It started on Monday.',
  'All users in the Berlin office; licences are E3.',
  'Here is the information requested.',
];

export const AGENT_NOTES = [
  'Reproduced in the lab tenant.',
  'Checked the service health dashboard: no known incident.',
  'Engaged the product team for a second look.',
  'Customer called for an update; explained next steps.',
  'Waiting on the back-end team’s analysis.',
];

export const CUSTOMER_NOTES = [
  'More users are affected now.',
  'Any update on this?',
  'We found a workaround for now, but need a fix.',
  'Adding my colleague who can help with testing.',
];

export const RESOLUTIONS = [
  'Renewed the connector certificate; mail flows again.',
  'Corrected the DNS records; domain verified.',
  'Reset the sync client and cleared the cache.',
  'Adjusted the conditional access policy exclusions.',
  'Credited the overcharge on the next invoice.',
  'Answered the licensing question with the plan comparison.',
  'Back-end fix deployed by the product team.',
];

export const REOPEN_TEXTS = ['The problem is back since this morning.', 'Not fixed: the same error appears again.'];
