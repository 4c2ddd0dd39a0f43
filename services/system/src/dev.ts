import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TenantDirectory } from '@caseflow/directory';
import { devDirectory, devUsers, loadTenantDirectory } from '@caseflow/directory';
import { generateSecret, issueToken } from '@caseflow/identity';

export interface DevSetup {
  secret: string;
  directory: TenantDirectory;
  directoryFile: string;
  credentialsFile: string;
  /** The notifier's people: every demo agent and supervisor gets an address at support.example. */
  notifierDirectory: unknown;
}

/**
 * Dev mode: what `caseflow start` needs when nobody configured identity. The signing secret and
 * the tenant directory are created once and kept in the data directory, so tokens and tenants
 * survive restarts; the tokens are written anew on each start (they expire after 30 days).
 */
export async function prepareDevMode(dataDir: string, now: Date): Promise<DevSetup> {
  mkdirSync(dataDir, { recursive: true });
  const secretFile = join(dataDir, 'dev-secret');
  createOnce(secretFile, `${generateSecret()}\n`, 0o600);
  const secret = readFileSync(secretFile, 'utf8').trim();

  const directoryFile = join(dataDir, 'tenants.json');
  createOnce(directoryFile, `${JSON.stringify(devDirectory(), null, 2)}\n`, 0o644);
  const directory = loadTenantDirectory(directoryFile);

  const users = await Promise.all(
    devUsers().map(async (user) => ({
      ...user,
      token: await issueToken(secret, { sub: user.name, role: user.role, tenant: user.tenant, ...(user.delegations === undefined ? {} : { delegations: user.delegations }) }, { now }),
    })),
  );
  const credentialsFile = join(dataDir, 'dev-credentials.json');
  writeFileSync(credentialsFile, `${JSON.stringify({ users }, null, 2)}\n`, { mode: 0o600 });

  const staff = users.filter((u) => u.role === 'agent' || u.role === 'supervisor');
  const address = (name: string) => `${name.replace(/@.*$/, '').replace(/[^A-Za-z0-9.-]/g, '-')}@support.example`;
  const supervisor = staff.find((u) => u.role === 'supervisor');
  const notifierDirectory = {
    agents: Object.fromEntries(staff.map((u) => [u.name, { email: address(u.name), name: u.name }])),
    tenants: {},
    ...(supervisor === undefined ? {} : { dutySupervisor: { email: address(supervisor.name), name: supervisor.name } }),
  };
  return { secret, directory, directoryFile, credentialsFile, notifierDirectory };
}

/** Creates the file unless it exists; services started side by side (`caseflow serve`) agree on the first one written. */
function createOnce(file: string, content: string, mode: number): void {
  try {
    writeFileSync(file, content, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}
