/**
 * The HTTP exchange envelope: one JSON format for the raw archive in S3, test fixtures and replay.
 * Secrets (Authorization headers, tokens) are never written into one.
 */
import type { Source } from './datasets';

export interface Envelope {
  readonly request: { readonly method: string; readonly url: string };
  readonly response: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    /** The body exactly as received: parsed JSON when it was valid JSON, otherwise the raw string. */
    readonly body: unknown;
  };
  /** ISO-8601 UTC time of the call. */
  readonly fetched_at: string;
  readonly source: Source;
  /** e.g. "tickers", "global", "new", "comments", "access_token". */
  readonly endpoint: string;
  /**
   * Set when no (usable) response arrived: timeout or connection error (then `response.status` is 0 and
   * the body is null). Lets the archive record failed attempts too.
   */
  readonly error?: string;
}

/** Narrow an unknown JSON value to an Envelope; returns a reason string when it is not one. */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  const req = v.request as Record<string, unknown> | undefined;
  const res = v.response as Record<string, unknown> | undefined;
  if (!req || typeof req.url !== 'string' || typeof req.method !== 'string')
    return 'missing request.method/url';
  if (!res || typeof res.status !== 'number') return 'missing response.status';
  if (typeof res.headers !== 'object' || res.headers === null) return 'missing response.headers';
  if (typeof v.fetched_at !== 'string' || Number.isNaN(Date.parse(v.fetched_at))) return 'bad fetched_at';
  if (v.source !== 'coinlore' && v.source !== 'reddit') return 'source is not coinlore or reddit';
  if (typeof v.endpoint !== 'string') return 'missing endpoint';
  return undefined;
}
