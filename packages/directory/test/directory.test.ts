import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Actor, Plan, Role } from '@caseflow/domain';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TenantDirectory } from '../src/index.js';
import {
  DirectoryError,
  devDirectory,
  devUsers,
  effectiveDelegations,
  isRegisteredPhone,
  loadTenantDirectory,
  parseTenantDirectory,
  tenantOf,
  verificationRecipient,
} from '../src/index.js';

/** A small valid directory as a user would write it: defaults left out. */
function sampleJson() {
  return {
    tenants: {
      contoso: {
        name: 'Contoso',
        plan: 'enterprise',
        region: 'US',
        contacts: [
          { name: 'Bob', email: 'bob@contoso.example' },
          { name: 'Carol', phone: '+1 (425) 555-0199', role: 'admin' },
          { name: 'Alice', email: 'alice@contoso.example', phone: '+1 425 555 0100', role: 'admin' },
        ],
        partners: ['adatum'],
      },
      fabrikam: { name: 'Fabrikam', plan: 'business', region: 'DE', language: 'de', partners: ['adatum'] },
      tailspin: { name: 'Tailspin', plan: 'elevated', region: 'US' },
      adatum: { name: 'Adatum', kind: 'partner', plan: 'business', region: 'US' },
      litware: { name: 'Litware', kind: 'partner', plan: 'business', region: 'US' },
    },
  };
}

function problemsOf(json: unknown): string[] {
  try {
    parseTenantDirectory(json);
  } catch (error) {
    if (!(error instanceof DirectoryError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('the directory was accepted');
}

describe('parsing a tenant directory', () => {
  it('fills in the defaults a file leaves out', () => {
    const dir = parseTenantDirectory(sampleJson());
    expect(dir.tenants.tailspin).toEqual({
      name: 'Tailspin',
      plan: 'elevated',
      region: 'US',
      advancedAgreement: false,
      language: 'en',
      contacts: [],
      partners: [],
      kind: 'customer',
    });
    expect(dir.tenants.contoso?.contacts[0]?.role).toBe('user');
  });

  it('names every problem by its JSON path, in the message too', () => {
    const json = sampleJson();
    const broken = {
      tenants: {
        ...json.tenants,
        contoso: { ...json.tenants.contoso, plan: 'premium', contacts: [{ name: 'Nobody' }, { name: 'Eve', email: 'not-an-email' }] },
        fabrikam: { ...json.tenants.fabrikam, region: 'de', colour: 'blue' },
        Bad_Id: { name: 'x', plan: 'business', region: 'US' },
      },
    };
    const problems = problemsOf(broken);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual([
      'tenants.contoso.plan',
      'tenants.contoso.contacts[0]',
      'tenants.contoso.contacts[1].email',
      'tenants.fabrikam.region',
      'tenants.fabrikam.colour',
      'tenants.Bad_Id',
    ]);
    expect(problems).toContain('tenants.contoso.contacts[0]: a contact needs an email or a phone');
    expect(problems).toContain('tenants.fabrikam.colour: not a known field here');
    expect(() => parseTenantDirectory(broken)).toThrow(/tenants\.contoso\.plan: .*enterprise/);
  });

  it('reports a missing required field as required', () => {
    const { name: _name, ...withoutName } = sampleJson().tenants.tailspin;
    expect(problemsOf({ tenants: { tailspin: withoutName } })).toEqual(['tenants.tailspin.name: required']);
    expect(problemsOf({})).toEqual(['tenants: required']);
    expect(problemsOf(null)[0]).toMatch(/^\(directory\): /);
  });

  it('refuses delegations to tenants that are not partner organisations', () => {
    const json = sampleJson();
    json.tenants.contoso.partners = ['adatum', 'fabrikam', 'ghost', 'contoso'];
    expect(problemsOf(json)).toEqual([
      'tenants.contoso.partners[1]: fabrikam is not a partner organisation (its kind is not "partner")',
      'tenants.contoso.partners[2]: ghost is not a tenant of the directory',
      'tenants.contoso.partners[3]: a tenant cannot be its own partner',
    ]);
  });

  it('leaves its input untouched, valid or not', () => {
    const good = sampleJson();
    const snapshot = structuredClone(good);
    parseTenantDirectory(good);
    expect(good).toEqual(snapshot);
    const bad = { ...sampleJson(), extra: true };
    const badSnapshot = structuredClone(bad);
    expect(() => parseTenantDirectory(bad)).toThrow(DirectoryError);
    expect(bad).toEqual(badSnapshot);
  });
});

describe('loading a tenant directory file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'caseflow-directory-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a valid file', async () => {
    const file = join(dir, 'tenants.json');
    await writeFile(file, JSON.stringify(sampleJson(), null, 2));
    expect(loadTenantDirectory(file)).toEqual(parseTenantDirectory(sampleJson()));
  });

  it('names the file when it is missing, not JSON, or invalid', async () => {
    const missing = join(dir, 'missing.json');
    expect(() => loadTenantDirectory(missing)).toThrow(new RegExp(`cannot read the tenant directory ${missing}`));

    const notJson = join(dir, 'broken.json');
    await writeFile(notJson, '{"tenants": {');
    expect(() => loadTenantDirectory(notJson)).toThrow(DirectoryError);
    expect(() => loadTenantDirectory(notJson)).toThrow(new RegExp(`the tenant directory ${notJson} is not valid JSON`));

    const invalid = join(dir, 'invalid.json');
    await writeFile(invalid, JSON.stringify({ tenants: { contoso: { name: 'Contoso', plan: 'gold', region: 'US' } } }));
    expect(() => loadTenantDirectory(invalid)).toThrow(new RegExp(`invalid tenant directory ${invalid}:\\n  tenants\\.contoso\\.plan: `));
  });
});

describe('looking tenants up', () => {
  const dir: TenantDirectory = parseTenantDirectory(sampleJson());

  it('finds only the directory’s own tenants', () => {
    expect(tenantOf(dir, 'contoso')?.plan).toBe('enterprise');
    expect(tenantOf(dir, 'nobody')).toBeUndefined();
    // Valid tenant ids that are also names on every object's prototype.
    expect(tenantOf(dir, 'constructor')).toBeUndefined();
    expect(tenantOf(dir, '__proto__')).toBeUndefined();
  });

  it('matches a caller’s phone however it is punctuated', () => {
    expect(isRegisteredPhone(dir, 'contoso', '+14255550100')).toBe(true);
    expect(isRegisteredPhone(dir, 'contoso', ' +1 (425) 555-0100 ')).toBe(true);
    expect(isRegisteredPhone(dir, 'contoso', '+1.425.555.0199')).toBe(true);
  });

  it('does not match other numbers, other tenants or a dropped +', () => {
    expect(isRegisteredPhone(dir, 'contoso', '14255550100')).toBe(false);
    expect(isRegisteredPhone(dir, 'contoso', '+14255550101')).toBe(false);
    expect(isRegisteredPhone(dir, 'fabrikam', '+14255550100')).toBe(false);
    expect(isRegisteredPhone(dir, 'nobody', '+14255550100')).toBe(false);
    expect(isRegisteredPhone(dir, 'contoso', ' - ')).toBe(false);
  });

  it('sends a verification code to the first admin with an email, in the tenant’s language', () => {
    // Carol is the first admin but has only a phone; Alice is the first admin with an email.
    expect(verificationRecipient(dir, 'contoso')).toEqual({ email: 'alice@contoso.example', language: 'en', name: 'Alice' });
  });

  it('falls back to an admin’s phone, and to nothing without an admin', () => {
    const json = sampleJson();
    json.tenants.contoso.contacts = json.tenants.contoso.contacts.filter((contact) => contact.name !== 'Alice');
    const withoutAlice = parseTenantDirectory(json);
    expect(verificationRecipient(withoutAlice, 'contoso')).toEqual({ phone: '+1 (425) 555-0199', language: 'en', name: 'Carol' });
    json.tenants.contoso.contacts = json.tenants.contoso.contacts.filter((contact) => contact.name === 'Bob');
    expect(verificationRecipient(parseTenantDirectory(json), 'contoso')).toBeUndefined();
    expect(verificationRecipient(dir, 'fabrikam')).toBeUndefined();
    expect(verificationRecipient(dir, 'nobody')).toBeUndefined();
  });
});

describe('a partner’s effective delegations', () => {
  const dir = parseTenantDirectory(sampleJson());

  it('are the claimed tenants that delegated to that partner', () => {
    expect(effectiveDelegations(dir, 'adatum', ['fabrikam', 'contoso'])).toEqual(['fabrikam', 'contoso']);
  });

  it('drop claims the directory does not back', () => {
    expect(effectiveDelegations(dir, 'adatum', ['contoso', 'tailspin', 'nobody', 'constructor'])).toEqual(['contoso']);
    expect(effectiveDelegations(dir, 'litware', ['contoso', 'fabrikam'])).toEqual([]);
    expect(effectiveDelegations(dir, 'nobody', ['contoso'])).toEqual([]);
    expect(effectiveDelegations(dir, 'adatum', [])).toEqual([]);
  });

  it('name each tenant once', () => {
    expect(effectiveDelegations(dir, 'adatum', ['contoso', 'contoso'])).toEqual(['contoso']);
  });
});

describe('the dev world', () => {
  const dir = devDirectory();
  const customers = Object.entries(dir.tenants).filter(([, entry]) => entry.kind === 'customer');

  it('validates against its own schema', () => {
    expect(parseTenantDirectory(JSON.parse(JSON.stringify(dir)))).toEqual(dir);
  });

  it('has a customer on every plan, each with an admin reachable by email and phone', () => {
    expect(new Set(customers.map(([, entry]) => entry.plan))).toEqual(new Set(Plan.options));
    for (const [id, entry] of customers) {
      expect(entry.contacts.some((contact) => contact.role === 'admin' && contact.email !== undefined && contact.phone !== undefined)).toBe(true);
      expect(verificationRecipient(dir, id)?.email).toBeDefined();
    }
  });

  it('puts its 21Vianet customer in China with an advanced agreement', () => {
    const vianet = customers.filter(([, entry]) => entry.plan === '21vianet').map(([, entry]) => entry);
    expect(vianet).toEqual([expect.objectContaining({ region: 'CN', language: 'zh-CN', advancedAgreement: true })]);
  });

  it('has a partner org delegated for two customers, and a support org', () => {
    const partners = Object.entries(dir.tenants).filter(([, entry]) => entry.kind === 'partner');
    expect(partners).toHaveLength(1);
    const [partner] = partners[0] ?? [];
    expect(customers.filter(([, entry]) => entry.partners.includes(partner ?? ''))).toHaveLength(2);
    expect(tenantOf(dir, 'support')?.kind).toBe('support');
  });

  it('hands out fresh copies', () => {
    const first = devDirectory();
    first.tenants.contoso?.contacts.splice(0);
    expect(devDirectory().tenants.contoso?.contacts).not.toHaveLength(0);
    const users = devUsers();
    users.find((user) => user.role === 'partner')?.delegations?.splice(0);
    expect(devUsers().find((user) => user.role === 'partner')?.delegations).not.toHaveLength(0);
  });

  it('has users of every role, each a valid actor of a tenant of the right kind', () => {
    const users = devUsers();
    expect(new Set(users.map((user) => user.role))).toEqual(new Set(Role.options));
    expect(new Set(users.map((user) => user.name)).size).toBe(users.length);
    const kindFor = (role: string) => (role.startsWith('customer-') ? 'customer' : role === 'partner' ? 'partner' : 'support');
    for (const user of users) {
      expect(Actor.safeParse({ id: user.name, role: user.role, tenant: user.tenant, delegations: user.delegations }).success).toBe(true);
      expect(tenantOf(dir, user.tenant)?.kind).toBe(kindFor(user.role));
    }
  });

  it('gives the 21Vianet and contoso tenants both an admin and a plain user', () => {
    const users = devUsers();
    for (const tenant of ['contoso', 'wingtip-cn']) {
      expect(users.filter((user) => user.tenant === tenant).map((user) => user.role).sort()).toEqual(['customer-admin', 'customer-user']);
    }
  });

  it('gives the partner user exactly the delegations the directory backs', () => {
    for (const partner of devUsers().filter((user) => user.role === 'partner')) {
      const claimed = partner.delegations ?? [];
      expect(claimed.length).toBeGreaterThan(0);
      expect(effectiveDelegations(dir, partner.tenant, claimed)).toEqual(claimed);
    }
  });
});
