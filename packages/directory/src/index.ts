export { DirectoryError, parseTenantDirectory } from './schema.js';
export type { DirectoryIssue, TenantDirectory, TenantEntry } from './schema.js';
export { loadTenantDirectory } from './load.js';
export { effectiveDelegations, isRegisteredPhone, tenantOf, verificationRecipient } from './lookup.js';
export type { VerificationRecipient } from './lookup.js';
export { devDirectory, devUsers } from './dev.js';
export type { DevUser } from './dev.js';
