/** How the client waits between tries. */
export interface RetryPolicy {
  /** Tries in total, the first included (1 = no retry). */
  maxAttempts: number;
  /** Base of the exponential backoff, in ms. */
  baseDelayMs: number;
  /** Largest wait between two tries, in ms (also caps a server's Retry-After). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 15_000 };

/**
 * Exponential backoff with "full jitter": a random wait between 0 and base·2^(n-1), capped.
 * Jitter keeps many concurrent writers from retrying in lockstep against a struggling server.
 */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(ceiling * random());
}

/**
 * Reads `Retry-After` (delta seconds or an HTTP date) as milliseconds to wait; undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Statuses worth another try for a request that is safe to repeat. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
