/**
 * extract-reddit: app-only OAuth token (cached per container until shortly before `expires_in`), then
 * /r/{sub}/new and /r/{sub}/comments, paging with `after` back to the lookback window. Every exchange,
 * the token call included (token redacted), is archived under raw/. Returns keys and counts, never data.
 */
import { HttpClient } from '../adapters/http';
import type { ExtractOutput, ExtractRedditInput, RawBatch } from '../contracts';
import { datasetForEndpoint } from '../core/datasets';
import { AuthError } from '../core/errors';
import {
  assertSubreddit,
  basicAuthorization,
  checkListing,
  checkTokenResponse,
  isTokenFresh,
  type ListingEndpoint,
  listingPart,
  listingUrl,
  lookbackCutoff,
  type RedditToken,
  redactToken,
  shouldFetchNextPage,
  TOKEN_REQUEST_BODY,
} from '../core/reddit';
import type { HandlerDeps } from '../deps';
import { lambdaHandler } from './aws-deps';
import { type HttpTuning, parsePartitionTime } from './extract-coinlore';
import { withRunContext } from './run-logger';

/**
 * Tokens live in module scope so warm invocations of one container reuse them (one token call per
 * container per hour instead of one per run and subreddit). Keyed by auth URL and client id.
 */
const tokenCache = new Map<string, RedditToken>();

/** The dataset a listing endpoint feeds, from the dataset declarations (lambdas/core/datasets.ts). */
function datasetOf(endpoint: ListingEndpoint): RawBatch['dataset'] {
  const spec = datasetForEndpoint('reddit', endpoint);
  if (!spec) throw new Error(`no dataset reads reddit/${endpoint} (lambdas/core/datasets.ts)`);
  return spec.name;
}

export function createExtractReddit(
  deps: HandlerDeps,
  http: HttpTuning = {},
): (input: ExtractRedditInput) => Promise<ExtractOutput> {
  return async (input) => {
    assertSubreddit(input.subreddit);
    const partitionTime = parsePartitionTime(input.partitionTime);
    const sub = input.subreddit;
    const logger = withRunContext(deps.logger, {
      run_id: input.runId,
      function: 'extract-reddit',
      subreddit: sub,
    });
    const client = new HttpClient({
      ...http,
      lake: deps.lake,
      logger,
      now: deps.now,
      sleep: deps.sleep,
      userAgent: deps.redditUserAgent,
    });

    const creds = await deps.getRedditCredentials();
    const cacheKey = `${deps.redditAuthUrl} ${creds.clientId}`;
    let tokenCalls = 0;
    const token = async (): Promise<{ value: string; cached: boolean }> => {
      const hit = tokenCache.get(cacheKey);
      if (isTokenFresh(hit, deps.now())) return { value: hit!.accessToken, cached: true };
      const fetchedAt = deps.now();
      tokenCalls += 1;
      const res = await client.request({
        method: 'POST',
        url: deps.redditAuthUrl,
        headers: {
          Authorization: basicAuthorization(creds.clientId, creds.clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        data: TOKEN_REQUEST_BODY,
        source: 'reddit',
        endpoint: 'access_token',
        partitionTime,
        part: `${sub}_token${tokenCalls > 1 ? tokenCalls : ''}`,
        redactBody: redactToken,
      });
      const t = checkTokenResponse(res.json, fetchedAt, `POST ${deps.redditAuthUrl}`);
      tokenCache.set(cacheKey, t);
      logger.info('reddit token obtained', { expiresAt: new Date(t.expiresAtMs).toISOString() });
      return { value: t.accessToken, cached: false };
    };

    const get = async (url: string, endpoint: ListingEndpoint, part: string) => {
      const req = { method: 'GET' as const, url, source: 'reddit' as const, endpoint, partitionTime, part };
      const t = await token();
      try {
        return await client.request({ ...req, headers: { Authorization: `bearer ${t.value}` } });
      } catch (err) {
        // A cached token Reddit no longer accepts (revoked, rotated secret): drop it and try once more.
        if (!(err instanceof AuthError) || !t.cached) throw err;
        tokenCache.delete(cacheKey);
        logger.warn('cached reddit token refused, fetching a new one', { url });
        const fresh = await token();
        return client.request({ ...req, headers: { Authorization: `bearer ${fresh.value}` } });
      }
    };

    const cutoff = lookbackCutoff(partitionTime, input.lookbackMinutes);
    const batches: RawBatch[] = [];
    const counts: Record<string, number> = {};
    for (const endpoint of ['new', 'comments'] as const) {
      const keys: string[] = [];
      let items = 0;
      let after: string | undefined;
      for (let page = 0; ; page++) {
        const url = listingUrl(deps.redditApiBaseUrl, sub, endpoint, after);
        const res = await get(url, endpoint, listingPart(sub, page));
        const listing = checkListing(res.json, endpoint, `GET ${url}`);
        keys.push(res.rawKey);
        items += listing.items.length;
        if (!shouldFetchNextPage(listing, cutoff, page + 1)) break;
        after = listing.after ?? undefined;
      }
      batches.push({ dataset: datasetOf(endpoint), rawKeys: keys });
      counts[endpoint] = items;
      counts[`${endpoint}_pages`] = keys.length;
    }

    logger.info('reddit extracted', { ...counts, requests: client.attempts });
    return { source: 'reddit', scope: sub, requests: client.attempts, batches };
  };
}

/** The Lambda entry (image command `extract-reddit.handler`). */
export const handler = lambdaHandler('extract-reddit', createExtractReddit, (out: ExtractOutput) => ({
  HttpRequests: out.requests,
  RawEnvelopes: out.batches.reduce((n, b) => n + b.rawKeys.length, 0),
}));
