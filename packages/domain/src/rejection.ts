import type { CommandType } from './commands.js';
import type { TicketStatus } from './model.js';

export interface ValidationIssue {
  path: (string | number)[];
  message: string;
}

/** Why a command was refused. `code` is stable: callers branch on it, people read `message`. */
export type Rejection =
  | { code: 'invalid_transition'; message: string; state: TicketStatus; command: CommandType; allowed: CommandType[] }
  | { code: 'not_authorized'; message: string }
  | { code: 'severity_not_allowed'; message: string }
  | { code: 'reopen_window_expired'; message: string; closedAt: string; windowEndedAt: string }
  | { code: 'validation_failed'; message: string; issues: ValidationIssue[] };

export type RejectionCode = Rejection['code'];

export function validationFailed(issues: ValidationIssue[]): Rejection {
  const message = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
  return { code: 'validation_failed', message, issues };
}
