import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientOptions } from '../../lambdas/adapters/http';
import type { Envelope } from '../../lambdas/core/envelope';
import { AuthError, PipelineError, RateLimitedError, UpstreamError } from '../../lambdas/core/errors';
import { rawKey } from '../../lambdas/core/lake';
import { loadEnvelopes, type ReplayServer, startReplayServer } from '../../local/replay-server';
import { FIXTURE_DIR, FIXTURE_PARTITION_TIME, type Harness, makeHarness } from './extract-harness';

const partitionTime = new Date(FIXTURE_PARTITION_TIME);

describe('HttpClient', () => {
  let server: ReplayServer;
  let h: Harness;
  let fixtures: Envelope[];
  let budgetEnvelope: Envelope;

  beforeAll(async () => {
    fixtures = await loadEnvelopes(FIXTURE_DIR);
    const global = fixtures.find((e) => e.endpoint === 'global')!;
    // A 2xx answer that spends the rate-limit budget: the next call must wait for the reset.
    budgetEnvelope = {
      ...global,
      request: { method: 'GET', url: 'https://api.example.invalid/api/budget/' },
      response: {
        ...global.response,
        headers: { 'x-ratelimit-remaining': '0.0', 'x-ratelimit-reset': '3.5', 'x-ratelimit-used': '600' },
      },
    };
    server = await startReplayServer({ envelopes: [...fixtures, budgetEnvelope] });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    server.setFaults([]);
    server.requests.length = 0;
    await h?.dispose();
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
  const getGlobal = (c: HttpClient, part = 'p000') =>
    c.request({
      method: 'GET',
      url: `${server.url}/api/global/`,
      source: 'coinlore',
      endpoint: 'global',
      partitionTime,
      part,
    });
  const globalKey = (part: string) => rawKey('coinlore', 'global', partitionTime, part);

  it('archives the exchange under its raw key and returns the parsed body when the answer is 2xx JSON', async () => {
    const c = await client();
    const res = await getGlobal(c);
    expect(res.rawKey).toBe(globalKey('p000'));
    const [archived] = await h.envelopes();
    expect(archived.key).toBe(globalKey('p000'));
    expect(archived.envelope.response.body).toEqual(
      fixtures.find((e) => e.endpoint === 'global')!.response.body,
    );
    expect(archived.envelope.request).toEqual({ method: 'GET', url: `${server.url}/api/global/` });
    expect(archived.envelope.fetched_at).toBe(FIXTURE_PARTITION_TIME);
    expect(res.json).toEqual(archived.envelope.response.body);
  });

  it('waits exactly Retry-After and archives the 429 too when the upstream rate-limits once', async () => {
    server.setFaults([{ kind: 'rate-limit', retryAfterSeconds: 7, match: '/api/global/' }]);
    const c = await client();
    const res = await getGlobal(c);
    expect(res.attempts).toBe(2);
    expect(h.sleeps).toEqual([7000]);
    const archived = await h.envelopes();
    expect(archived.map((a) => [a.key, a.envelope.response.status])).toEqual([
      [globalKey('p000'), 200],
      [globalKey('p000_try1'), 429],
    ]);
  });

  it('retries with capped jittered backoff then throws UpstreamError when every attempt is a 500', async () => {
    server.setFaults([{ kind: 'server-error', times: Number.POSITIVE_INFINITY }]);
    const c = await client({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 150 });
    const err = await getGlobal(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).status).toBe(500);
    expect((err as Error).message).toMatch(/after 3 attempts/);
    expect(server.requests).toHaveLength(3);
    // random() = 0.5 → half of min(cap, base·2^(n-1)): 50, then 75 (capped at 150).
    expect(h.sleeps).toEqual([50, 75]);
    expect((await h.envelopes()).map((a) => a.envelope.response.status)).toEqual([500, 500, 500]);
  });

  it('retries and succeeds when the first answer is slower than the timeout', async () => {
    server.setFaults([{ kind: 'slow', delayMs: 1500 }]);
    const c = await client({ timeoutMs: 200 });
    const res = await getGlobal(c);
    expect(res.attempts).toBe(2);
    const failed = (await h.envelopes()).find((a) => a.key === globalKey('p000_try1'))!;
    expect(failed.envelope.response.status).toBe(0);
    expect(failed.envelope.error).toMatch(/timeout/i);
  });

  it.each([
    ['truncated-json', (b: string) => b.startsWith('[{"coins_count"') && !b.endsWith(']')],
    ['html-error', (b: string) => b.startsWith('<!DOCTYPE html>')],
  ] as const)(
    'throws UpstreamError and archives the body as a string when every answer is %s',
    async (kind, isBody) => {
      server.setFaults([{ kind, times: Number.POSITIVE_INFINITY }]);
      const c = await client({ maxAttempts: 2 });
      await expect(getGlobal(c)).rejects.toBeInstanceOf(UpstreamError);
      const archived = await h.envelopes();
      expect(archived).toHaveLength(2);
      for (const a of archived) {
        expect(typeof a.envelope.response.body).toBe('string');
        expect(isBody(a.envelope.response.body as string)).toBe(true);
      }
    },
  );

  it('throws AuthError without retrying when the upstream answers 401', async () => {
    server.setFaults([{ kind: 'unauthorized', times: Number.POSITIVE_INFINITY }]);
    const c = await client();
    await expect(getGlobal(c)).rejects.toBeInstanceOf(AuthError);
    expect(server.requests).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('throws a non-retryable error naming the URL when the replay server has no envelope for it', async () => {
    const c = await client();
    const err = await c
      .request({
        method: 'GET',
        url: `${server.url}/api/nope/?x=1`,
        source: 'coinlore',
        endpoint: 'nope',
        partitionTime,
        part: 'p000',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).not.toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toContain('/api/nope/?x=1');
    expect(server.requests).toHaveLength(1);
  });

  it('waits for X-Ratelimit-Reset before the next call when X-Ratelimit-Remaining drops below 1', async () => {
    const c = await client();
    await c.request({
      method: 'GET',
      url: `${server.url}/api/budget/`,
      source: 'coinlore',
      endpoint: 'budget',
      partitionTime,
      part: 'p000',
    });
    expect(h.sleeps).toEqual([]);
    await getGlobal(c);
    expect(h.sleeps).toEqual([3500]);
  });

  it('throws RateLimitedError instead of waiting when Retry-After exceeds the in-process limit', async () => {
    server.setFaults([{ kind: 'rate-limit', retryAfterSeconds: 600 }]);
    const c = await client({ maxWaitMs: 60_000 });
    const err = await getGlobal(c).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterSeconds).toBe(600);
    expect(h.sleeps).toEqual([]);
  });

  it('archives a redacted body and never the request headers when a redactor is given', async () => {
    const c = await client();
    const res = await c.request({
      method: 'POST',
      url: `${server.url}/api/v1/access_token`,
      headers: { Authorization: 'Basic dGVzdDpzZWNyZXQ=' },
      data: 'grant_type=client_credentials',
      source: 'reddit',
      endpoint: 'access_token',
      partitionTime,
      part: 'x_token',
      redactBody: (raw) => raw.replace(/FAKE-fixture-token-[0-9a-f]+/g, '[REDACTED]'),
    });
    expect(res.text).toContain('FAKE-fixture-token-');
    const text = await h.lakeText();
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('FAKE-fixture-token-');
    expect(text).not.toContain('dGVzdDpzZWNyZXQ=');
    expect(server.requests[0].authScheme).toBe('Basic');
  });
});
