import type { EngineRejection } from '@caseflow/engine';
import type { Rejection, ValidationIssue } from '@caseflow/domain';
import { z } from 'zod';

/** Every code an API error carries, with its HTTP status. Clients branch on `code`, never on wording. */
export const PROBLEM_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_transition: 409,
  conflict: 409,
  already_confirmed: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  not_acceptable: 406,
  unsupported_media_type: 415,
  severity_not_allowed: 422,
  reopen_window_expired: 422,
  no_registered_contact: 422,
  wrong_code: 422,
  verification_expired: 422,
  verification_locked: 422,
  internal: 500,
} as const;
export type ProblemCode = keyof typeof PROBLEM_STATUS;

const TITLES: Record<ProblemCode, string> = {
  validation_failed: 'The request is not valid',
  unauthorized: 'Authentication is required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  invalid_transition: 'The ticket does not accept this command in its state',
  conflict: 'The ticket kept changing; try again',
  already_confirmed: 'The verification is already confirmed',
  precondition_failed: 'The ticket is not at the revision in If-Match',
  payload_too_large: 'The request body is too large',
  not_acceptable: 'None of the accepted media types is available',
  unsupported_media_type: 'The request body must be JSON',
  severity_not_allowed: 'This severity is not available for the ticket',
  reopen_window_expired: 'The reopen window has ended',
  no_registered_contact: 'The tenant has no registered contact to send a code to',
  wrong_code: 'The code is not right',
  verification_expired: 'The verification has expired',
  verification_locked: 'Too many wrong codes; the verification is locked',
  internal: 'Something went wrong on our side',
};

/** RFC 9457 problem details, with caseflow's stable `code` and whatever the code adds (errors, state, allowed, …). */
export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
export type ProblemBody = z.infer<typeof ProblemSchema>;

export class Problem extends Error {
  readonly status: number;

  constructor(
    readonly code: ProblemCode,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'Problem';
    this.status = PROBLEM_STATUS[code];
  }

  body(): ProblemBody {
    return {
      type: `https://caseflow.dev/problems/${this.code}`,
      title: TITLES[this.code],
      status: this.status,
      detail: this.message,
      code: this.code,
      ...this.extra,
    };
  }
}

export const validationProblem = (issues: readonly ValidationIssue[], detail?: string) =>
  new Problem('validation_failed', detail ?? issues.map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '), {
    errors: issues.map((i) => ({ path: [...i.path], message: i.message })),
  });

/** A refusal from the domain or the engine, as the problem a client gets. */
export function problemFromRejection(rejection: Rejection | EngineRejection): Problem {
  switch (rejection.code) {
    case 'validation_failed':
      return validationProblem(rejection.issues, rejection.message);
    case 'not_authorized':
      return new Problem('forbidden', rejection.message);
    case 'invalid_transition':
      return new Problem('invalid_transition', rejection.message, { state: rejection.state, command: rejection.command, allowed: rejection.allowed });
    case 'reopen_window_expired':
      return new Problem('reopen_window_expired', rejection.message, { closedAt: rejection.closedAt, windowEndedAt: rejection.windowEndedAt });
    case 'precondition_failed':
      return new Problem('precondition_failed', rejection.message, {
        expected: Number(rejection.expected),
        ...(rejection.actual === undefined ? {} : { actual: Number(rejection.actual) }),
      });
    case 'severity_not_allowed':
    case 'not_found':
    case 'conflict':
      return new Problem(rejection.code, rejection.message);
  }
}
