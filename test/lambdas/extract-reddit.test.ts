import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExtractRedditInput } from '../../lambdas/contracts';
import { AuthError } from '../../lambdas/core/errors';
import { rawKey } from '../../lambdas/core/lake';
import {
  checkListing,
  isTokenFresh,
  lookbackCutoff,
  redactToken,
  shouldFetchNextPage,
} from '../../lambdas/core/reddit';
import { createExtractReddit } from '../../lambdas/handlers/extract-reddit';
import { type ReplayServer, startReplayServer } from '../../local/replay-server';
import {
  FIXTURE_DIR,
  FIXTURE_PARTITION_TIME,
  FIXTURE_TOKEN,
  type Harness,
  makeHarness,
  TEST_CREDENTIALS,
} from './extract-harness';

const input: ExtractRedditInput = {
  runId: 'run-reddit-1',
  partitionTime: FIXTURE_PARTITION_TIME,
  subreddit: 'CryptoCurrency',
  lookbackMinutes: 30,
};
const pt = new Date(FIXTURE_PARTITION_TIME);
const tokenPath = '/api/v1/access_token';

describe('createExtractReddit', () => {
  let server: ReplayServer;
  let h: Harness;
  beforeEach(async () => {
    // A fresh server per test: a new port is a new auth URL, so the module-scope token cache starts cold.
    server = await startReplayServer({ dir: FIXTURE_DIR });
  });
  afterEach(async () => {
    await server.close();
    await h.dispose();
  });

  it('pages /new back to the lookback window and returns posts and comments batches', async () => {
    h = await makeHarness();
    const out = await createExtractReddit(h.deps(server))(input);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${tokenPath}`,
      'GET /r/CryptoCurrency/new?limit=100&raw_json=1',
      'GET /r/CryptoCurrency/new?limit=100&raw_json=1&after=t3_1p0a004',
      'GET /r/CryptoCurrency/comments?limit=100&raw_json=1',
    ]);
    expect(out).toEqual({
      source: 'reddit',
      scope: 'CryptoCurrency',
      requests: 4,
      batches: [
        {
          dataset: 'reddit_posts',
          rawKeys: [
            rawKey('reddit', 'new', pt, 'CryptoCurrency_p00'),
            rawKey('reddit', 'new', pt, 'CryptoCurrency_p01'),
          ],
        },
        { dataset: 'reddit_comments', rawKeys: [rawKey('reddit', 'comments', pt, 'CryptoCurrency_p00')] },
      ],
    });
    const [tokenReq, ...apiReqs] = server.requests;
    expect(tokenReq.authScheme).toBe('Basic');
    expect(tokenReq.body).toBe('grant_type=client_credentials');
    expect(apiReqs.every((r) => r.authScheme === 'bearer')).toBe(true);
    expect(
      server.requests.every(
        (r) => r.headers['user-agent'] === 'node:finance-de-lab-test:v0.1.0 (by /u/fdl_test)',
      ),
    ).toBe(true);
  });

  it('keeps the token, the client secret and the Authorization header out of the archive and the logs', async () => {
    h = await makeHarness();
    await createExtractReddit(h.deps(server))(input);
    const basic = Buffer.from(`${TEST_CREDENTIALS.clientId}:${TEST_CREDENTIALS.clientSecret}`).toString(
      'base64',
    );
    const everything = `${await h.lakeText()}\n${h.logLines.join('\n')}`;
    expect(everything).toContain('[REDACTED]');
    for (const secret of [FIXTURE_TOKEN, TEST_CREDENTIALS.clientSecret, basic])
      expect(everything).not.toContain(secret);
    expect(everything.toLowerCase()).not.toContain('authorization');
    const token = (await h.envelopes()).find((a) => a.envelope.endpoint === 'access_token')!;
    expect(token.key).toBe(rawKey('reddit', 'access_token', pt, 'CryptoCurrency_token'));
    expect((token.envelope.response.body as { expires_in: number }).expires_in).toBe(3600);
  });

  it('reuses the token across invocations until shortly before expires_in', async () => {
    h = await makeHarness();
    const extract = createExtractReddit(h.deps(server));
    const tokenCalls = () => server.requests.filter((r) => r.path === tokenPath).length;
    await extract(input);
    h.clock.nowMs += 10 * 60_000;
    await extract(input);
    expect(tokenCalls()).toBe(1);
    // 59 minutes after a 3600 s token: inside the renewal margin, so a new token is fetched.
    h.clock.nowMs += 49 * 60_000;
    await extract(input);
    expect(tokenCalls()).toBe(2);
  });

  it('throws AuthError without retrying when the token endpoint answers 401', async () => {
    h = await makeHarness();
    server.setFaults([{ kind: 'unauthorized', match: tokenPath, times: Number.POSITIVE_INFINITY }]);
    await expect(createExtractReddit(h.deps(server))(input)).rejects.toBeInstanceOf(AuthError);
    expect(server.requests).toHaveLength(1);
  });

  it('honours Retry-After and completes when a listing is rate-limited once', async () => {
    h = await makeHarness();
    server.setFaults([{ kind: 'rate-limit', match: '/comments', retryAfterSeconds: 3 }]);
    const out = await createExtractReddit(h.deps(server))(input);
    expect(h.sleeps).toEqual([3000]);
    expect(out.requests).toBe(5);
    expect(out.batches[1].rawKeys).toEqual([rawKey('reddit', 'comments', pt, 'CryptoCurrency_p00')]);
  });

  it('throws SchemaDriftError naming the field when listings lose data.children', async () => {
    h = await makeHarness();
    server.setFaults([
      {
        kind: 'schema-drift',
        match: '/new',
        drift: (b) => ({ ...(b as object), data: { after: null, items: [] } }),
      },
    ]);
    await expect(createExtractReddit(h.deps(server))(input)).rejects.toThrow(/"data\.children"/);
  });

  it('rejects an invalid subreddit name before any request', async () => {
    h = await makeHarness();
    await expect(createExtractReddit(h.deps(server))({ ...input, subreddit: '../etc' })).rejects.toThrow(
      /subreddit/,
    );
    expect(server.requests).toHaveLength(0);
  });
});

describe('createExtractReddit on the bundled replay sample', () => {
  it.each(['CryptoCurrency', 'Bitcoin', 'ethereum'])(
    'extracts one page of posts and comments from r/%s',
    async (subreddit) => {
      const server = await startReplayServer({
        dir: join(import.meta.dirname, '..', '..', 'replay', 'sample'),
      });
      const h = await makeHarness();
      try {
        const out = await createExtractReddit(h.deps(server))({ ...input, subreddit });
        expect(out.batches.map((b) => [b.dataset, b.rawKeys.length])).toEqual([
          ['reddit_posts', 1],
          ['reddit_comments', 1],
        ]);
      } finally {
        await server.close();
        await h.dispose();
      }
    },
  );
});

describe('reddit paging and token rules', () => {
  const listing = (after: string | null, created: number[], extra: unknown[] = []) => ({
    kind: 'Listing',
    data: {
      after,
      children: [
        ...created.map((c, i) => ({
          kind: 't1',
          data: { id: `c${i}`, name: `t1_c${i}`, created_utc: c, body: 'x', link_id: 't3_a' },
        })),
        ...extra,
      ],
    },
  });
  const cutoff = lookbackCutoff(pt, 30);
  const sec = (minutesAgo: number) => pt.getTime() / 1000 - minutesAgo * 60;

  it.each([
    ['the oldest item is inside the window', listing('t1_x', [sec(1), sec(29)]), 1, true],
    ['the oldest item is past the window', listing('t1_x', [sec(1), sec(31)]), 1, false],
    ['Reddit offers no next page', listing(null, [sec(1)]), 1, false],
    ['the max-pages guard is reached', listing('t1_x', [sec(1)]), 10, false],
    [
      'the page holds only "more" stubs',
      listing('t1_x', [], [{ kind: 'more', data: { count: 3 } }]),
      1,
      false,
    ],
  ])('decides whether to page on when %s', (_label, body, pagesFetched, expected) => {
    expect(shouldFetchNextPage(checkListing(body, 'comments', 'test'), cutoff, pagesFetched)).toBe(expected);
  });

  it('skips "more" children and keeps t1 items when a comments listing mixes them', () => {
    const page = checkListing(
      listing(null, [sec(2)], [{ kind: 'more', data: { count: 3 } }]),
      'comments',
      'test',
    );
    expect(page.items).toHaveLength(1);
    expect(page.skipped).toBe(1);
  });

  it('treats a token as fresh only until the renewal margin before expiry', () => {
    const token = { accessToken: 't', expiresAtMs: pt.getTime() + 3600_000 };
    expect(isTokenFresh(token, new Date(pt.getTime() + 3000_000), 120)).toBe(true);
    expect(isTokenFresh(token, new Date(pt.getTime() + 3500_000), 120)).toBe(false);
    expect(isTokenFresh(undefined, pt)).toBe(false);
  });

  it('redacts the access token in JSON and in non-JSON bodies', () => {
    expect(redactToken('{"access_token": "abc\\"def", "expires_in": 3600}')).toBe(
      '{"access_token": "[REDACTED]", "expires_in": 3600}',
    );
    expect(redactToken('<html>"access_token":"zzz"')).toBe('<html>"access_token":"[REDACTED]"');
  });
});
