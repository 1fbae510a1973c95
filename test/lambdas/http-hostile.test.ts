import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientOptions } from '../../lambdas/adapters/http';
import type { Envelope } from '../../lambdas/core/envelope';
import {
  AuthError,
  PipelineError,
  RateLimitedError,
  SchemaDriftError,
  UpstreamError,
} from '../../lambdas/core/errors';
import { MAX_JSON_DEPTH } from '../../lambdas/core/json-guard';
import { rawKey } from '../../lambdas/core/lake';
import { type ReplayServer, startReplayServer } from '../../local/replay-server';
import { FIXTURE_PARTITION_TIME, type Harness, makeHarness } from './extract-harness';

/**
 * The HTTP client against answers a well-behaved upstream never sends: bodies nested past the JSON limit,
 * credentials echoed back in error bodies, headers and URLs, and statuses at the edges of each class.
 * Served by the loopback replay server, so the real axios client and the real archive run.
 */
const partitionTime = new Date(FIXTURE_PARTITION_TIME);
const FAKE_SECRET = 'FAKE-s3cr3t-echoed-7c1d';
const FAKE_BASIC = Buffer.from(`fake-id:${FAKE_SECRET}`).toString('base64');

const envelope = (
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Envelope => ({
  request: { method: 'GET', url: `https://upstream.invalid${path}` },
  response: { status, headers, body },
  fetched_at: FIXTURE_PARTITION_TIME,
  source: 'coinlore',
  endpoint: 'global',
});

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('HttpClient with hostile answers', () => {
  let server: ReplayServer;
  let h: Harness | undefined;

  beforeAll(async () => {
    server = await startReplayServer({
      envelopes: [
        envelope('/deep', 200, deep(5000), { 'content-type': 'application/json' }),
        envelope('/at-limit', 200, deep(MAX_JSON_DEPTH), { 'content-type': 'application/json' }),
        envelope('/echo', 400, {
          error: 'invalid_grant',
          debug: `received headers: authorization: Basic ${FAKE_BASIC}; cookie: sid=${FAKE_SECRET}`,
          client_secret: FAKE_SECRET,
        }),
        envelope(
          '/cookie',
          200,
          { ok: true },
          { 'set-cookie': `sid=${FAKE_SECRET}; HttpOnly`, 'x-kept': 'yes' },
        ),
        envelope('/forbidden', 403, { message: 'Forbidden' }),
        envelope('/gone', 404, { message: 'Not Found' }),
        envelope('/teapot', 418, { message: 'teapot' }),
        envelope('/request-timeout', 408, { message: 'Request Timeout' }),
        envelope('/dated', 429, { message: 'slow down' }, { 'retry-after': 'Tue, 24 Nov 2026 10:20:30 GMT' }),
      ],
    });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    server.setFaults([]);
    server.requests.length = 0;
    await h?.dispose();
    h = undefined;
  });

  const client = async (opts: Partial<HttpClientOptions> = {}) => {
    h = await makeHarness();
    const d = h.deps(server);
    return new HttpClient({
      lake: d.lake,
      logger: d.logger,
      now: d.now,
      sleep: d.sleep,
      random: () => 0.5,
      ...opts,
    });
  };
  const get = (c: HttpClient, path: string, query = '') =>
    c.request({
      method: 'GET',
      url: `${server.url}${path}${query}`,
      source: 'coinlore',
      endpoint: 'global',
      partitionTime,
      part: 'p000',
    });
  const key = (part: string) => rawKey('coinlore', 'global', partitionTime, part);

  it('archives a body nested past the limit as text and refuses it with the reason, without retrying', async () => {
    const c = await client();
    const err = await get(c, '/deep').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect((err as Error).message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect((err as Error).message).not.toContain('[[[[');
    expect(server.requests).toHaveLength(1);
    const [archived] = await h!.envelopes();
    expect(archived!.key).toBe(key('p000'));
    expect(archived!.envelope.response.body).toBe(deep(5000));
  });

  it('accepts a body exactly at the depth limit', async () => {
    const c = await client();
    const res = await get(c, '/at-limit');
    expect(JSON.stringify(res.json)).toBe(deep(MAX_JSON_DEPTH));
  });

  it('keeps credentials echoed in an error body out of the archive, the error and the logs', async () => {
    const c = await client();
    const err = await get(c, '/echo').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect((err as Error).message).toContain('answered 400');
    const everything = `${await h!.lakeText()}\n${(err as Error).message}\n${h!.logLines.join('\n')}`;
    expect(everything).not.toContain(FAKE_SECRET);
    expect(everything).not.toContain(FAKE_BASIC);
    const [archived] = await h!.envelopes();
    expect((archived!.envelope.response.body as { error: string }).error).toBe('invalid_grant');
  });

  it('archives the Set-Cookie header only as redacted and keeps the other headers', async () => {
    const c = await client();
    await get(c, '/cookie');
    expect(await h!.lakeText()).not.toContain(FAKE_SECRET);
    const [archived] = await h!.envelopes();
    expect(archived!.envelope.response.headers['set-cookie']).toBe('[REDACTED]');
    expect(archived!.envelope.response.headers['x-kept']).toBe('yes');
  });

  it('archives and reports the request URL with its secret query parameters redacted', async () => {
    const c = await client({ maxAttempts: 1 });
    const err = await get(c, '/gone', `?limit=5&api_key=${FAKE_SECRET}`).catch((e: unknown) => e);
    expect((err as Error).message).toContain('answered 404');
    expect((err as Error).message).not.toContain(FAKE_SECRET);
    const [archived] = await h!.envelopes();
    expect(archived!.envelope.request.url).toContain('limit=5');
    expect(archived!.envelope.request.url).not.toContain(FAKE_SECRET);
  });

  it.each([
    ['/forbidden', 403, AuthError],
    ['/gone', 404, PipelineError],
    ['/teapot', 418, PipelineError],
  ] as const)('fails %s (HTTP %i) at once, without retrying, as %o', async (path, status, type) => {
    const c = await client();
    const err = await get(c, path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect(err).not.toBeInstanceOf(RateLimitedError);
    expect((err as Error).message).toContain(String(status));
    expect(server.requests).toHaveLength(1);
    expect(h!.sleeps).toEqual([]);
  });

  it('retries 408 like a 5xx, archives each attempt, and names the last attempt with the plain part', async () => {
    const c = await client({ maxAttempts: 3 });
    const err = await get(c, '/request-timeout').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(408);
    expect(server.requests).toHaveLength(3);
    expect((await h!.envelopes()).map((a) => a.key).sort()).toEqual(
      [key('p000'), key('p000_try1'), key('p000_try2')].sort(),
    );
  });

  it('makes 4 attempts by default before giving up', async () => {
    const c = await client();
    await expect(get(c, '/request-timeout')).rejects.toBeInstanceOf(UpstreamError);
    expect(server.requests).toHaveLength(4);
  });

  it('waits until the HTTP-date of Retry-After, then throws RateLimitedError when 429 persists', async () => {
    const c = await client({ maxAttempts: 2 });
    const err = await get(c, '/dated').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    // The harness clock starts at 10:20:00; the header says 10:20:30.
    expect(h!.sleeps).toEqual([30_000]);
  });
});
