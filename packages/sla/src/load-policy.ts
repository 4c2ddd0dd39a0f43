/** The SLA package's only I/O: reading a policy file. Everything else takes the policy as data. */
import { readFile } from 'node:fs/promises';
import { defaultPolicy } from './default-policy.js';
import type { SlaPolicy } from './policy.js';
import { PolicyError, parsePolicy } from './policy.js';

/** Reads and validates a JSON policy file; a PolicyError names the file and each problem's path. */
export async function loadPolicy(file: string): Promise<SlaPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new PolicyError(`cannot read the SLA policy ${file}: ${(error as Error).message}`, []);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`the SLA policy ${file} is not valid JSON: ${(error as Error).message}`, []);
  }
  try {
    return parsePolicy(json);
  } catch (error) {
    if (error instanceof PolicyError) throw new PolicyError(`${file}: ${error.message}`, error.issues);
    throw error;
  }
}

/**
 * The policies a deployment times tickets by: its own policy file, when it has one (the
 * `CASEFLOW_SLA_POLICY` setting), before the built-in one that older tickets may have pinned.
 */
export async function loadPolicies(file: string | undefined): Promise<SlaPolicy[]> {
  return file === undefined || file === '' ? [defaultPolicy] : [await loadPolicy(file), defaultPolicy];
}
