import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageHandler, ReceivedMessage, RetryPolicy } from './port.js';

export interface RetryControl {
  /** Aborted when the subscription closes: no further attempt is made. */
  signal: AbortSignal;
  /**
   * Called at least every `everyMs` while the handler runs and while waiting to retry: a Kafka
   * consumer that stays silent for its session timeout is thrown out of the group, and its
   * message handed to another member while the first is still at work (a notifier would send
   * the same email twice). If it throws, the retries end with its error.
   */
  keepAlive?: { everyMs: number; call: () => Promise<void> };
}

export function retryDelayMs(policy: RetryPolicy, failures: number): number {
  return Math.min(policy.initialDelayMs * 2 ** (failures - 1), policy.maxDelayMs);
}

/**
 * Gives the message to the handler until the handler resolves, waiting between attempts as the
 * policy says. True once handled; false if the subscription closed first, in which case the
 * message must not be committed.
 */
export async function handleWithRetries(
  handler: MessageHandler,
  message: Omit<ReceivedMessage, 'attempt'>,
  policy: RetryPolicy,
  control: RetryControl,
): Promise<boolean> {
  for (let attempt = 1; !control.signal.aborted; attempt += 1) {
    const heartbeat = keepAliveWhile(control.keepAlive);
    let handled = false;
    try {
      await handler({ ...message, attempt });
      handled = true;
    } catch {
      // The error is the handler's to report; here it only means "not processed, try again".
    } finally {
      heartbeat.stop();
    }
    // The group moved on while the handler ran (a rebalance): the message, handled or not, is
    // no longer ours to commit.
    heartbeat.rethrow();
    if (handled) return true;
    if (!(await waitBeforeRetry(retryDelayMs(policy, attempt), control))) return false;
  }
  return false;
}

/** Calls keepAlive every `everyMs` until stopped; the first failure is kept for `rethrow`. */
function keepAliveWhile(keepAlive: RetryControl['keepAlive']) {
  let failure: { error: unknown } | undefined;
  const timer =
    keepAlive === undefined
      ? undefined
      : setInterval(() => {
          keepAlive.call().catch((error: unknown) => {
            failure ??= { error };
          });
        }, keepAlive.everyMs);
  return {
    stop: () => clearInterval(timer),
    rethrow: () => {
      if (failure !== undefined) throw failure.error;
    },
  };
}

/** False if the wait was cut short by the subscription closing. */
async function waitBeforeRetry(delayMs: number, { signal, keepAlive }: RetryControl): Promise<boolean> {
  const until = Date.now() + delayMs;
  for (let left = delayMs; left > 0; left = until - Date.now()) {
    try {
      await sleep(Math.min(left, keepAlive?.everyMs ?? left), undefined, { signal });
    } catch {
      return false;
    }
    if (keepAlive !== undefined) await keepAlive.call();
  }
  return !signal.aborted;
}
