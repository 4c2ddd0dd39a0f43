import type { Clock } from '@caseflow/engine';
import { Duration } from 'luxon';

/**
 * The clock of `caseflow start --test-clock`: it stands still until told to move, so demos and
 * end-to-end tests can make fourteen days or an SLA breach happen in a second. It only moves
 * forwards: the domain refuses commands dated before a ticket's last event, so going back would
 * make every ticket touched since unworkable.
 */
export class AdjustableClock implements Clock {
  #ms: number;
  readonly #listeners = new Set<(now: Date) => void>();

  constructor(start: Date) {
    this.#ms = start.getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Moves to `instant`; refuses to go back. */
  set(instant: Date): Date {
    if (instant.getTime() < this.#ms) throw new RangeError(`the test clock only moves forwards; it is already ${this.now().toISOString()}`);
    this.#ms = instant.getTime();
    for (const listener of this.#listeners) listener(this.now());
    return this.now();
  }

  /** Moves on by an ISO 8601 duration such as PT15M. */
  advance(iso: string): Date {
    const duration = Duration.fromISO(iso);
    if (!duration.isValid) throw new RangeError(`${iso} is not an ISO 8601 duration`);
    return this.set(new Date(this.#ms + duration.as('milliseconds')));
  }

  /** Told each time the clock moves (the sla-timer looks for due timers at once). */
  onChange(listener: (now: Date) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
