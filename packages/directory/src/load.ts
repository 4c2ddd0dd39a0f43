import { readFileSync } from 'node:fs';
import type { TenantDirectory } from './schema.js';
import { DirectoryError, parseTenantDirectory } from './schema.js';

/** Reads and validates a JSON tenant directory; a DirectoryError names the file and each problem's path. */
export function loadTenantDirectory(file: string): TenantDirectory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DirectoryError(`cannot read the tenant directory ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DirectoryError(`the tenant directory ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseTenantDirectory(json, `tenant directory ${file}`);
}
