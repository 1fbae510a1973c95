import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lambdas/core/errors';
import {
  assertSubreddit,
  basicAuthorization,
  checkListing,
  checkTokenResponse,
  isTokenFresh,
  type ListingPage,
  listingPart,
  listingUrl,
  redactToken,
  shouldFetchNextPage,
} from '../../lambdas/core/reddit';
import { expectDrift, thrown } from '../support/throws';

const listing = (data: unknown) => ({ kind: 'Listing', data });
const t3 = (data: Record<string, unknown>) => ({ kind: 't3', data });
const post = (id: string, created_utc: unknown) => t3({ id, name: `t3_${id}`, created_utc, title: 'x' });

describe('assertSubreddit', () => {
  it('throws a ConfigError when the name has a bad trailing character', () => {
    const e = thrown(() => assertSubreddit('abc!'));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toBe(
      'subreddit "abc!" is not a valid name (2-21 letters, digits or _); check the env config',
    );
  });
  it('accepts the name when it is letters, digits and underscores', () => {
    expect(() => assertSubreddit('Crypto_Currency1')).not.toThrow();
  });
});

describe('listingUrl', () => {
  it('strips every trailing slash of the base when it has several', () => {
    expect(listingUrl('https://oauth.reddit.com//', 'Bitcoin', 'new')).toBe(
      'https://oauth.reddit.com/r/Bitcoin/new?limit=100&raw_json=1',
    );
  });
  it('appends after when it is given', () => {
    expect(listingUrl('https://oauth.reddit.com', 'Bitcoin', 'comments', 't1_abc')).toBe(
      'https://oauth.reddit.com/r/Bitcoin/comments?limit=100&raw_json=1&after=t1_abc',
    );
  });
});

describe('listingPart', () => {
  it('pads the page to two digits when it is below ten', () => {
    expect(listingPart('Bitcoin', 3)).toBe('Bitcoin_p03');
  });
});

describe('checkListing', () => {
  it('throws naming null when the body is null', () => {
    expectDrift(() => checkListing(null, 'new', 'w'), 'w: field "kind" is not "Listing" (got null)');
  });
  it('throws naming the array when the body is an array', () => {
    expectDrift(() => checkListing([], 'new', 'w'), 'w: field "kind" is not "Listing" (got an array of 0)');
  });
  it('throws naming the kind when the kind is another string', () => {
    expectDrift(
      () => checkListing({ kind: 'Thing' }, 'new', 'w'),
      'w: field "kind" is not "Listing" (got a string (5 chars))',
    );
  });
  it('throws when data is missing', () => {
    expectDrift(
      () => checkListing({ kind: 'Listing' }, 'new', 'w'),
      'w: field "data" is missing or not an object',
    );
  });
  it('throws when data.children is missing', () => {
    expectDrift(
      () => checkListing(listing({}), 'new', 'w'),
      'w: field "data.children" is missing or not an array',
    );
  });
  it('throws when data.after is a number', () => {
    expectDrift(
      () => checkListing(listing({ children: [], after: 5 }), 'new', 'w'),
      'w: field "data.after" is not a string or null',
    );
  });
  it('returns after null when data.after is null', () => {
    expect(checkListing(listing({ children: [], after: null }), 'new', 'w')).toEqual({
      after: null,
      items: [],
      skipped: 0,
      oldestCreatedUtc: undefined,
    });
  });
  it('returns after null when data.after is absent', () => {
    expect(checkListing(listing({ children: [] }), 'new', 'w').after).toBeNull();
  });
  it('returns after when data.after is a string', () => {
    expect(checkListing(listing({ children: [], after: 't3_z' }), 'new', 'w').after).toBe('t3_z');
  });
  it('counts as skipped the children of other kinds and malformed children', () => {
    const good = post('a', 100);
    const page = checkListing(
      listing({ children: [{ kind: 'more', data: {} }, 'junk', { kind: 't3', data: null }, good] }),
      'new',
      'w',
    );
    expect(page.items).toEqual([good]);
    expect(page.skipped).toBe(3);
  });
  it('names the first missing comment field when every item lacks it', () => {
    const c = { kind: 't1', data: { id: 'a', name: 't1_a', created_utc: 1, body: 'x' } };
    expectDrift(
      () => checkListing(listing({ children: [c] }), 'comments', 'w'),
      'w: t1 field "link_id" is missing from every item',
    );
  });
  it('accepts the items when the required fields are spread over different items', () => {
    const a = t3({ id: 'a', name: 't3_a' });
    const b = t3({ created_utc: 5, title: 'y' });
    const page = checkListing(listing({ children: [a, b] }), 'new', 'w');
    expect(page.items).toEqual([a, b]);
    expect(page.oldestCreatedUtc).toBe(5);
  });
  it('returns the smallest created_utc when the items are not sorted', () => {
    const page = checkListing(
      listing({ children: [post('a', 300), post('b', 100), post('c', 200)] }),
      'new',
      'w',
    );
    expect(page.oldestCreatedUtc).toBe(100);
  });
  it('keeps the first created_utc when a later one is larger', () => {
    const page = checkListing(listing({ children: [post('a', 100), post('b', 300)] }), 'new', 'w');
    expect(page.oldestCreatedUtc).toBe(100);
  });
  it('ignores created_utc when it is null or not finite', () => {
    const page = checkListing(
      listing({
        children: [post('a', 200), post('b', null), post('c', Number.NEGATIVE_INFINITY), post('d', '50')],
      }),
      'new',
      'w',
    );
    expect(page.oldestCreatedUtc).toBe(200);
  });
  it('leaves oldestCreatedUtc undefined when the only created_utc is a string', () => {
    const page = checkListing(listing({ children: [post('a', '50')] }), 'new', 'w');
    expect(page.oldestCreatedUtc).toBeUndefined();
  });
});

describe('shouldFetchNextPage', () => {
  const page = (oldestCreatedUtc: number | undefined): ListingPage => ({
    after: 't3_x',
    items: [],
    skipped: 0,
    oldestCreatedUtc,
  });
  it('stops when the oldest item is exactly at the cutoff', () => {
    expect(shouldFetchNextPage(page(1000), new Date(1_000_000), 1)).toBe(false);
  });
  it('goes on when the oldest item is one second after the cutoff', () => {
    expect(shouldFetchNextPage(page(1001), new Date(1_000_000), 1)).toBe(true);
  });
  it('stops when maxPages pages are fetched', () => {
    expect(shouldFetchNextPage(page(1001), new Date(1_000_000), 10)).toBe(false);
  });
});

describe('checkTokenResponse', () => {
  const at = new Date(1_000_000);
  it('throws naming null when the body is null', () => {
    expectDrift(() => checkTokenResponse(null, at, 'w'), 'w: expected a JSON object, got null');
  });
  it('throws naming the string when the body is a string', () => {
    expectDrift(
      () => checkTokenResponse('abc', at, 'w'),
      'w: expected a JSON object, got a string (3 chars)',
    );
  });
  it('throws when access_token is empty or not a string', () => {
    const msg = 'w: field "access_token" is missing or empty';
    expectDrift(() => checkTokenResponse({ access_token: '', expires_in: 60 }, at, 'w'), msg);
    expectDrift(() => checkTokenResponse({ access_token: 5, expires_in: 60 }, at, 'w'), msg);
  });
  it('throws when expires_in is zero, negative, infinite or not numeric', () => {
    const msg = 'w: field "expires_in" is missing or not a positive number';
    for (const expires_in of [0, -5, Number.POSITIVE_INFINITY, 'abc', undefined, true])
      expectDrift(() => checkTokenResponse({ access_token: 't', expires_in }, at, 'w'), msg);
  });
  it('adds expires_in seconds to fetchedAt when expires_in is a number', () => {
    expect(checkTokenResponse({ access_token: 'tok', expires_in: 3600 }, at, 'w')).toEqual({
      accessToken: 'tok',
      expiresAtMs: 4_600_000,
    });
  });
  it('parses expires_in when it is a numeric string', () => {
    expect(checkTokenResponse({ access_token: 'tok', expires_in: '3600' }, at, 'w').expiresAtMs).toBe(
      4_600_000,
    );
  });
});

describe('isTokenFresh', () => {
  const token = { accessToken: 't', expiresAtMs: 200_000 };
  it('is stale when now is exactly expiry minus the margin', () => {
    expect(isTokenFresh(token, new Date(80_000))).toBe(false);
  });
  it('is fresh when now is one ms before expiry minus the margin', () => {
    expect(isTokenFresh(token, new Date(79_999))).toBe(true);
  });
  it('is stale when there is no token', () => {
    expect(isTokenFresh(undefined, new Date(0))).toBe(false);
  });
});

describe('redactToken', () => {
  it('redacts the token when whitespace surrounds the colon', () => {
    expect(redactToken('{"access_token" : "abc"}')).toBe('{"access_token" : "[REDACTED]"}');
  });
  it('redacts the whole token when it holds an escaped quote', () => {
    expect(redactToken('{"access_token":"a\\"b","x":1}')).toBe('{"access_token":"[REDACTED]","x":1}');
  });
});

describe('basicAuthorization', () => {
  it('base64-encodes id:secret when given ASCII credentials', () => {
    expect(basicAuthorization('id', 'secret')).toBe('Basic aWQ6c2VjcmV0');
  });
});
