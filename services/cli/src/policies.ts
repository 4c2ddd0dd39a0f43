import type { SlaPolicy } from '@caseflow/sla';
import { PolicyError, defaultPolicy, loadPolicies, loadPolicy } from '@caseflow/sla';
import { UsageError } from './errors.js';

export const describeIssues = (issues: readonly { path: readonly (string | number)[]; message: string }[]) =>
  issues.map((i) => (i.path.length === 0 ? i.message : `${i.path.join('.')}: ${i.message}`)).join('; ');

/** Reads a policy file (or files) where a bad one is the caller's mistake: exit 2 naming each problem. */
async function readPolicyFile<T>(file: string, load: (file: string) => Promise<T>): Promise<T> {
  try {
    return await load(file);
  } catch (error) {
    if (error instanceof PolicyError) throw new UsageError(error.issues.length === 0 ? error.message : `${file}: ${describeIssues(error.issues)}`);
    throw error;
  }
}

export const readPolicy = (file: string | undefined): Promise<SlaPolicy> => (file === undefined ? Promise.resolve(defaultPolicy) : readPolicyFile(file, loadPolicy));

/** The policies a deployment times tickets by: its own (CASEFLOW_SLA_POLICY), when it has one, before the built-in one older tickets may have pinned. */
export const deploymentPolicies = (): Promise<SlaPolicy[]> => readPolicyFile(process.env.CASEFLOW_SLA_POLICY ?? '', loadPolicies);
