/**
 * What a handler needs from the outside world, injected. `lambdas/handlers/<name>.ts` exports
 * `create<Name>(deps)` (used in-process by the local twin and tests) and `handler` (the Lambda entry,
 * which builds AWS deps once per container from HANDLER_ENV variables). Core logic never sees these.
 */
import type { LakeStore } from './adapters/lake-store';

/** The subset of the Powertools Logger the pipeline uses, so local runs and tests can pass their own. */
export interface PipelineLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface RedditCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface HandlerDeps {
  readonly lake: LakeStore;
  readonly logger: PipelineLogger;
  /** Base URLs; the cloud uses the real APIs, tests and replay use a loopback server. */
  readonly coinloreBaseUrl: string;
  readonly redditApiBaseUrl: string;
  readonly redditAuthUrl: string;
  readonly redditUserAgent: string;
  /** Reads the Reddit client credentials (Secrets Manager in AWS, env vars or replay dummies locally). */
  getRedditCredentials(): Promise<RedditCredentials>;
  /** The clock: `fetched_at`/`extracted_at` come from here (replay runs pass a simulated clock). */
  now(): Date;
  /** Waiting between retries; tests pass a fast one. */
  sleep(ms: number): Promise<void>;
}

/** Production defaults for the API base URLs (overridable through HANDLER_ENV). */
export const DEFAULT_BASE_URLS = {
  coinlore: 'https://api.coinlore.net/api',
  redditApi: 'https://oauth.reddit.com',
  redditAuth: 'https://www.reddit.com/api/v1/access_token',
} as const;
