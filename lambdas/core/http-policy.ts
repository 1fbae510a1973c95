/**
 * Pure HTTP policy: which answers are retried, how long to back off, and what the upstream's rate-limit
 * headers ask for. No clock and no randomness of its own: `now` and `random` are passed in.
 */

/** What to do with an HTTP status. */
export type StatusClass = 'ok' | 'retry' | 'rate-limited' | 'auth' | 'client';

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 429) return 'rate-limited';
  if (status === 401 || status === 403) return 'auth';
  // 408 Request Timeout is the server saying "try again", like a 5xx.
  if (status >= 500 || status === 408) return 'retry';
  return 'client';
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform delay in [0, min(cap, base * 2^(attempt-1))). Full jitter spreads retries of parallel
 * Map iterations so they do not hit the API in lockstep. `attempt` is 1 for the first retry.
 */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random * ceiling);
}

/** Header lookup that ignores case (axios lower-cases, envelopes may not). */
export function header(
  headers: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** Retry-After in seconds: delta-seconds or an HTTP-date (relative to `now`). Undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, (at - now.getTime()) / 1000);
}

export interface RateLimitState {
  readonly used?: number;
  readonly remaining?: number;
  /** Seconds until the window resets. */
  readonly resetSeconds?: number;
}

/** Reddit's X-Ratelimit-Used / -Remaining / -Reset headers. Values are decimal strings ("598.0"). */
export function parseRateLimit(headers: Readonly<Record<string, string | undefined>>): RateLimitState {
  const num = (name: string) => {
    const raw = header(headers, name);
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number.parseFloat(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  return {
    used: num('x-ratelimit-used'),
    remaining: num('x-ratelimit-remaining'),
    resetSeconds: num('x-ratelimit-reset'),
  };
}

/** Milliseconds to wait before the next call: the budget is spent (remaining < 1) until the window resets. */
export function rateLimitWaitMs(state: RateLimitState): number {
  if (state.remaining === undefined || state.remaining >= 1) return 0;
  return Math.ceil((state.resetSeconds ?? 1) * 1000);
}
