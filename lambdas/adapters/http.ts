/**
 * The one HTTP client of the pipeline (axios). Every exchange, failed attempts included, is archived as an
 * envelope in the lake BEFORE the body is parsed or checked, so the raw archive can always be reprocessed
 * and an outage or schema change leaves evidence. Credentials never reach the archive, the logs or an error
 * message: request headers are not part of the envelope, and the URL, response headers, body and error text
 * pass through core/redact.ts (plus the caller's own `redactBody`) before they are archived or quoted.
 * A body deeper or larger than core/json-guard.ts allows is archived as its raw text (still evidence) and
 * refused with SchemaDriftError before anything walks it.
 *
 * Retries: 429, 5xx, timeouts, connection errors and 2xx bodies that are not JSON (truncated transfers,
 * proxy error pages) are retried with exponential backoff and full jitter; 401/403 and other 4xx never
 * are. Retry-After and X-Ratelimit-* are honoured up to `maxWaitMs`; a longer wait is thrown as a
 * RateLimitedError so the state machine (which can wait without paying for Lambda time) retries later.
 */
import axios, { type AxiosError, type AxiosResponse } from 'axios';
import type { Source } from '../core/datasets';
import type { Envelope } from '../core/envelope';
import { AuthError, PipelineError, RateLimitedError, SchemaDriftError, UpstreamError } from '../core/errors';
import {
  backoffDelayMs,
  classifyStatus,
  header,
  parseRateLimit,
  parseRetryAfter,
  rateLimitWaitMs,
} from '../core/http-policy';
import { parseJsonWithinLimits } from '../core/json-guard';
import { rawKey } from '../core/lake';
import { redactHeaders, redactText, redactUrl } from '../core/redact';
import type { PipelineLogger } from '../deps';
import type { LakeStore } from './lake-store';

export interface HttpClientOptions {
  readonly lake: LakeStore;
  readonly logger: PipelineLogger;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  /** Per-attempt timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts per request, the first included. @default 4 */
  readonly maxAttempts?: number;
  /** Backoff base and cap. @default 500 / 8000 */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Longest Retry-After / rate-limit wait honoured in-process; longer ones throw RateLimitedError. @default 60000 */
  readonly maxWaitMs?: number;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Sent on every request (Reddit requires its own format). */
  readonly userAgent?: string;
}

export interface ExchangeRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  /** May hold credentials (Authorization): sent, never archived or logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly data?: string;
  /** Where the envelope goes: rawKey(source, endpoint, partitionTime, part). */
  readonly source: Source;
  readonly endpoint: string;
  readonly partitionTime: Date;
  readonly part: string;
  /** Removes secrets from the raw body text before it is archived (e.g. the OAuth access token). */
  readonly redactBody?: (raw: string) => string;
}

export interface ExchangeResult {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body as received (not redacted: the caller may need the token). */
  readonly text: string;
  /** The body parsed as JSON. */
  readonly json: unknown;
  /** Lake key of the successful envelope. */
  readonly rawKey: string;
  readonly attempts: number;
}

/** Response headers as received, names lower-cased (multi-valued ones joined). */
function responseHeaders(res: AxiosResponse | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!res) return out;
  for (const [k, v] of Object.entries(res.headers ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

const excerpt = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…` : s);

type Outcome =
  | { kind: 'ok'; json: unknown }
  | { kind: 'retry'; reason: string; status?: number; retryAfterSeconds?: number; cause?: unknown }
  | { kind: 'fatal'; error: Error };

export class HttpClient {
  /** HTTP attempts made by this client (each one archived). */
  attempts = 0;
  private notBeforeMs = 0;
  private readonly o: Required<Omit<HttpClientOptions, 'userAgent'>> & { userAgent?: string };

  constructor(options: HttpClientOptions) {
    this.o = {
      timeoutMs: 10_000,
      maxAttempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 8_000,
      maxWaitMs: 60_000,
      random: Math.random,
      ...options,
    };
  }

  /** Perform the request with retries; resolves with a 2xx JSON answer or throws a named PipelineError. */
  async request(req: ExchangeRequest): Promise<ExchangeResult> {
    const { logger, maxAttempts } = this.o;
    for (let attempt = 1; ; attempt++) {
      await this.waitForBudget(req);
      const fetchedAt = this.o.now();
      let res: AxiosResponse<string> | undefined;
      let netError: AxiosError | Error | undefined;
      this.attempts += 1;
      try {
        res = await axios.request<string>({
          method: req.method,
          url: req.url,
          data: req.data,
          headers: { ...(this.o.userAgent ? { 'User-Agent': this.o.userAgent } : {}), ...req.headers },
          timeout: this.o.timeoutMs,
          // Keep the body exactly as received: no status-based throwing, no JSON parsing by axios.
          validateStatus: () => true,
          responseType: 'text',
          transformResponse: [(d: unknown) => d],
        });
      } catch (err) {
        netError = err as Error;
      }
      const text = res ? (typeof res.data === 'string' ? res.data : String(res.data ?? '')) : '';
      const headers = responseHeaders(res);
      const outcome = this.classify(req, res, text, headers, netError, fetchedAt);
      const final = outcome.kind !== 'retry' || attempt >= maxAttempts;
      const part = final ? req.part : `${req.part}_try${attempt}`;
      const key = rawKey(req.source, req.endpoint, req.partitionTime, part);
      await this.archive(key, req, fetchedAt, res, text, headers, netError);
      this.noteBudget(headers);
      const url = redactUrl(req.url);

      if (outcome.kind === 'ok') {
        return { status: res!.status, headers, text, json: outcome.json, rawKey: key, attempts: attempt };
      }
      if (outcome.kind === 'fatal') {
        logger.error('http request failed', {
          url,
          attempt,
          error: outcome.error.name,
          rawKey: key,
        });
        throw outcome.error;
      }
      if (attempt >= maxAttempts) {
        const msg = `${req.method} ${url} failed after ${attempt} attempts: ${outcome.reason}`;
        logger.error('http request gave up', { url, attempt, reason: outcome.reason, rawKey: key });
        if (outcome.status === 429)
          throw new RateLimitedError(msg, outcome.retryAfterSeconds, { cause: outcome.cause });
        throw new UpstreamError(msg, outcome.status, { cause: outcome.cause });
      }
      let delay = backoffDelayMs(attempt, this.o.baseDelayMs, this.o.maxDelayMs, this.o.random());
      if (outcome.retryAfterSeconds !== undefined) {
        delay = Math.ceil(outcome.retryAfterSeconds * 1000);
        if (delay > this.o.maxWaitMs) {
          throw new RateLimitedError(
            `${req.method} ${url} asked to retry after ${outcome.retryAfterSeconds}s, longer than this invocation waits; retry the run later`,
            outcome.retryAfterSeconds,
          );
        }
      }
      logger.warn('http request retrying', { url, attempt, reason: outcome.reason, delayMs: delay });
      await this.o.sleep(delay);
    }
  }

  private classify(
    req: ExchangeRequest,
    res: AxiosResponse | undefined,
    text: string,
    headers: Record<string, string>,
    netError: Error | undefined,
    fetchedAt: Date,
  ): Outcome {
    const where = `${req.method} ${redactUrl(req.url)}`;
    if (!res) {
      const code = (netError as AxiosError | undefined)?.code ?? 'ERROR';
      return {
        kind: 'retry',
        reason: `no response (${code}: ${redactText(netError?.message ?? 'unknown')})`,
        cause: netError,
      };
    }
    const redacted = this.redactBody(req, text);
    switch (classifyStatus(res.status)) {
      case 'ok': {
        const parsed = parseJsonWithinLimits(text);
        if (parsed.ok) return { kind: 'ok', json: parsed.value };
        // Too deep or too large: the same answer would come back, so retrying cannot help.
        if (!parsed.reason.startsWith('not valid JSON'))
          return {
            kind: 'fatal',
            error: new SchemaDriftError(
              `${where} answered ${res.status} with a body refused: ${parsed.reason}`,
            ),
          };
        return {
          kind: 'retry',
          status: res.status,
          reason: `HTTP ${res.status} with a body that is not JSON (truncated or an error page): ${excerpt(redacted, 80)}`,
        };
      }
      case 'rate-limited':
        return {
          kind: 'retry',
          status: 429,
          reason: 'HTTP 429 Too Many Requests',
          retryAfterSeconds: parseRetryAfter(header(headers, 'retry-after'), fetchedAt),
        };
      case 'retry':
        return { kind: 'retry', status: res.status, reason: `HTTP ${res.status}: ${excerpt(redacted, 80)}` };
      case 'auth':
        return {
          kind: 'fatal',
          error: new AuthError(
            `${where} answered ${res.status}: credentials refused. Check the Reddit client id/secret and User-Agent; not retried.`,
          ),
        };
      default:
        return {
          kind: 'fatal',
          error: new PipelineError(`${where} answered ${res.status} (not retried): ${excerpt(redacted)}`),
        };
    }
  }

  private async archive(
    key: string,
    req: ExchangeRequest,
    fetchedAt: Date,
    res: AxiosResponse | undefined,
    text: string,
    headers: Record<string, string>,
    netError: Error | undefined,
  ): Promise<void> {
    const raw = this.redactBody(req, text);
    // A body beyond the JSON limits is kept as text: JSON.stringify of a deep value would overflow the stack.
    const parsed = res ? parseJsonWithinLimits(raw) : { ok: false as const };
    const envelope: Envelope = {
      request: { method: req.method, url: redactUrl(req.url) },
      response: {
        status: res?.status ?? 0,
        headers: redactHeaders(headers),
        body: res ? (parsed.ok ? parsed.value : raw) : null,
      },
      fetched_at: fetchedAt.toISOString(),
      source: req.source,
      endpoint: req.endpoint,
      ...(netError
        ? { error: redactText(`${(netError as AxiosError).code ?? 'ERROR'}: ${netError.message}`) }
        : {}),
    };
    await this.o.lake.put(key, JSON.stringify(envelope), 'application/json');
  }

  /** The body as it may be archived or quoted: the caller's redactor, then the generic one. */
  private redactBody(req: ExchangeRequest, text: string): string {
    return redactText(req.redactBody ? req.redactBody(text) : text);
  }

  /** Remember an exhausted rate-limit budget: the next call waits until the window resets. */
  private noteBudget(headers: Record<string, string>): void {
    const wait = rateLimitWaitMs(parseRateLimit(headers));
    if (wait > 0) this.notBeforeMs = this.o.now().getTime() + wait;
  }

  private async waitForBudget(req: ExchangeRequest): Promise<void> {
    if (this.notBeforeMs === 0) return;
    const wait = this.notBeforeMs - this.o.now().getTime();
    this.notBeforeMs = 0;
    if (wait <= 0) return;
    if (wait > this.o.maxWaitMs) {
      throw new RateLimitedError(
        `rate-limit budget exhausted before ${req.method} ${req.url}; resets in ${Math.ceil(wait / 1000)}s, retry the run later`,
        wait / 1000,
      );
    }
    this.o.logger.info('rate-limit budget exhausted, waiting for reset', { url: req.url, waitMs: wait });
    await this.o.sleep(wait);
  }
}
