/**
 * What only the API's own tests share. The harness (`startTestApi`, `T0`, `removeTestFiles`…) is
 * the package's `testing` entry point (`../src/testing.ts`, `@caseflow/api/testing` for others).
 */

/** A valid open body for a dev tenant. */
export const openBody = (fields: Record<string, unknown> = {}) => ({
  category: 'technical',
  severity: 'B',
  title: 'Mail flow down',
  description: 'Outbound mail is queued',
  contact: { email: 'alice@contoso.example', preferred: 'email' },
  language: 'en',
  ...fields,
});
