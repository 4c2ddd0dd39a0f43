import { join, resolve } from 'node:path';
import type { Actor } from '@caseflow/domain';
import { Role, parseInstant as parseIsoInstant } from '@caseflow/domain';
import type { Clock } from '@caseflow/engine';
import { CommandEngine, fixedClock, systemClock } from '@caseflow/engine';
import type { EventStore } from '@caseflow/eventstore';
import { openSqliteEventStore } from '@caseflow/eventstore';
import type { PolicyList } from '@caseflow/sla';
import { enginePolicies, policyList } from '@caseflow/sla';
import { UsageError } from './errors.js';
import { deploymentPolicies } from './policies.js';

export interface GlobalOptions {
  data: string;
  now?: string;
  json?: boolean;
}

/** An option's ISO 8601 instant; it must carry Z or an offset, so that it means the same everywhere. */
export function parseInstant(value: string, option: string): Date {
  const instant = parseIsoInstant(value);
  if (instant === undefined) {
    throw new UsageError(`${option} needs an ISO 8601 instant with Z or an offset, such as 2026-11-23T08:30:00Z, not "${value}"`);
  }
  return instant;
}

/** `--as role:id@tenant`, e.g. `customer-admin:alice@contoso`. */
export function parseActor(value: string, delegations?: string): Actor {
  const match = /^([a-z-]+):(.+)@([^@]+)$/.exec(value);
  const role = Role.safeParse(match?.[1]);
  if (match === null || !role.success) {
    throw new UsageError(`--as needs role:id@tenant with a role among ${Role.options.join(', ')}, not "${value}"`);
  }
  const actor: Actor = { id: match[2] as string, role: role.data, tenant: match[3] as string };
  if (delegations !== undefined) actor.delegations = delegations.split(',').map((t) => t.trim()).filter(Boolean);
  return actor;
}

export function clockFrom(options: GlobalOptions): Clock {
  return options.now === undefined ? systemClock : fixedClock(parseInstant(options.now, '--now'));
}

export const storeFile = (data: string) => join(resolve(data), 'caseflow.db');

/**
 * Opens the embedded store for the length of one command and always closes it. Its engine decides
 * by the deployment's policies (CASEFLOW_SLA_POLICY), which `work` is given too, as a server on
 * the same data does.
 */
export async function withStore<T>(options: GlobalOptions, work: (store: EventStore, engine: CommandEngine, policies: PolicyList) => Promise<T>): Promise<T> {
  const clock = clockFrom(options);
  const policies = policyList(await deploymentPolicies());
  const store = openSqliteEventStore(storeFile(options.data));
  try {
    return await work(store, new CommandEngine({ store, clock, ...enginePolicies(policies) }), policies);
  } finally {
    await store.close();
  }
}
