import { describeRejection } from './output.js';

/** A mistake in how the command was typed: exit 2, nothing touched. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A refusal by the domain, the engine or the API's server: exit 2 with one line naming the code. */
export class Refusal extends Error {
  override name = 'Refusal';

  constructor(code: string, detail: string) {
    super(describeRejection({ code, message: detail }));
  }
}
