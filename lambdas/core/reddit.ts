/**
 * Reddit extraction logic, pure: listing URLs, raw-key parts, shape checks, the paging decision and the
 * app-only token's lifetime. Facts (docs/external-facts.md#reddit-api): `/r/{sub}/new` (t3) and `/r/{sub}/comments`
 * (t1) with `limit` ≤ 100 and `raw_json=1`, paged with `after`; listings stop at ~1,000 items.
 */
import { describe } from './coinlore';
import { ConfigError, SchemaDriftError } from './errors';

export const REDDIT_PAGE_LIMIT = 100;
/** Reddit stops listings at about 1,000 items = 10 pages of 100: more pages cannot help. */
export const REDDIT_MAX_PAGES = 10;
/** Renew the token this long before Reddit says it expires (clock skew, long invocations). */
export const TOKEN_EXPIRY_MARGIN_SECONDS = 120;

export type ListingEndpoint = 'new' | 'comments';

/** The kind of child each listing endpoint carries; other kinds (e.g. "more") are skipped. */
export const LISTING_KIND: Readonly<Record<ListingEndpoint, 't3' | 't1'>> = { new: 't3', comments: 't1' };

/** Fields whose absence from every item means Reddit changed its format. */
export const REQUIRED_ITEM_FIELDS: Readonly<Record<ListingEndpoint, readonly string[]>> = {
  new: ['id', 'name', 'created_utc', 'title'],
  comments: ['id', 'name', 'created_utc', 'body', 'link_id'],
};

/** Subreddit names are 2–21 letters, digits or underscores; anything else is a config mistake. */
export function assertSubreddit(name: string): void {
  if (!/^[A-Za-z0-9_]{2,21}$/.test(name))
    throw new ConfigError(
      `subreddit "${name}" is not a valid name (2-21 letters, digits or _); check the env config`,
    );
}

export function listingUrl(
  apiBaseUrl: string,
  subreddit: string,
  endpoint: ListingEndpoint,
  after?: string,
): string {
  const q = new URLSearchParams({ limit: String(REDDIT_PAGE_LIMIT), raw_json: '1' });
  if (after) q.set('after', after);
  return `${apiBaseUrl.replace(/\/+$/, '')}/r/${subreddit}/${endpoint}?${q.toString()}`;
}

/** Raw-key part of a listing page: `CryptoCurrency_p00`. */
export function listingPart(subreddit: string, page: number): string {
  return `${subreddit}_p${String(page).padStart(2, '0')}`;
}

export interface ListingItem {
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ListingPage {
  readonly after: string | null;
  /** Children of the endpoint's kind (t3 or t1); "more" stubs and other kinds left out. */
  readonly items: readonly ListingItem[];
  /** Children of other kinds (e.g. "more"), counted for the log. */
  readonly skipped: number;
  /** The oldest created_utc (epoch seconds) on the page, when any item has one. */
  readonly oldestCreatedUtc?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Check a listing body; throws SchemaDriftError naming the field that changed. */
export function checkListing(body: unknown, endpoint: ListingEndpoint, where: string): ListingPage {
  if (!isObject(body) || body.kind !== 'Listing')
    throw new SchemaDriftError(
      `${where}: field "kind" is not "Listing" (got ${describe(isObject(body) ? body.kind : body)})`,
    );
  const data = body.data;
  if (!isObject(data)) throw new SchemaDriftError(`${where}: field "data" is missing or not an object`);
  if (!Array.isArray(data.children))
    throw new SchemaDriftError(`${where}: field "data.children" is missing or not an array`);
  if (data.after !== null && data.after !== undefined && typeof data.after !== 'string')
    throw new SchemaDriftError(`${where}: field "data.after" is not a string or null`);
  const kind = LISTING_KIND[endpoint];
  const items: ListingItem[] = [];
  let skipped = 0;
  for (const child of data.children) {
    if (isObject(child) && child.kind === kind && isObject(child.data))
      items.push(child as unknown as ListingItem);
    else skipped += 1;
  }
  if (items.length > 0) {
    const missing = REQUIRED_ITEM_FIELDS[endpoint].filter((f) => !items.some((i) => f in i.data));
    if (missing.length > 0)
      throw new SchemaDriftError(`${where}: ${kind} field "${missing[0]}" is missing from every item`);
  }
  let oldest: number | undefined;
  for (const i of items) {
    const c = i.data.created_utc;
    if (typeof c === 'number' && Number.isFinite(c) && (oldest === undefined || c < oldest)) oldest = c;
  }
  return {
    after: typeof data.after === 'string' ? data.after : null,
    items,
    skipped,
    oldestCreatedUtc: oldest,
  };
}

/** The oldest creation time a run still needs: partitionTime minus the lookback window. */
export function lookbackCutoff(partitionTime: Date, lookbackMinutes: number): Date {
  return new Date(partitionTime.getTime() - lookbackMinutes * 60_000);
}

/**
 * Page on while Reddit offers a next page and everything on this page is still inside the window (its
 * oldest item is newer than the cutoff); stop at `maxPages` whatever happens.
 */
export function shouldFetchNextPage(
  page: ListingPage,
  cutoff: Date,
  pagesFetched: number,
  maxPages = REDDIT_MAX_PAGES,
): boolean {
  if (!page.after || pagesFetched >= maxPages) return false;
  if (page.oldestCreatedUtc === undefined) return false;
  return page.oldestCreatedUtc * 1000 > cutoff.getTime();
}

export interface RedditToken {
  readonly accessToken: string;
  /** Epoch ms at which Reddit stops accepting it. */
  readonly expiresAtMs: number;
}

/** Check the access_token answer and compute its expiry from `expires_in` (never a hard-coded lifetime). */
export function checkTokenResponse(body: unknown, fetchedAt: Date, where: string): RedditToken {
  if (!isObject(body)) throw new SchemaDriftError(`${where}: expected a JSON object, got ${describe(body)}`);
  if (typeof body.access_token !== 'string' || body.access_token === '')
    throw new SchemaDriftError(`${where}: field "access_token" is missing or empty`);
  const expiresIn =
    typeof body.expires_in === 'string' ? Number.parseFloat(body.expires_in) : body.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)
    throw new SchemaDriftError(`${where}: field "expires_in" is missing or not a positive number`);
  return { accessToken: body.access_token, expiresAtMs: fetchedAt.getTime() + expiresIn * 1000 };
}

/** Whether a cached token can still be used at `now`, keeping a safety margin before expiry. */
export function isTokenFresh(
  token: RedditToken | undefined,
  now: Date,
  marginSeconds = TOKEN_EXPIRY_MARGIN_SECONDS,
): boolean {
  return token !== undefined && now.getTime() < token.expiresAtMs - marginSeconds * 1000;
}

/** Replace the access token in a raw token-endpoint body (JSON or not) before it is archived or logged. */
export function redactToken(raw: string): string {
  return raw.replace(/("access_token"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[REDACTED]"');
}

/** The HTTP Basic header value for the client credentials grant. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64')}`;
}

export const TOKEN_REQUEST_BODY = 'grant_type=client_credentials';
