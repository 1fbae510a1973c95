/**
 * Intent tests of the HTTP client's messages, logs and limits, against a plain loopback server whose every
 * answer the test writes (the replay server's faults have fixed bodies). Each test pins one rule that a
 * mutation of lambdas/adapters/http.ts survived before.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../lambdas/adapters/http';
import { RateLimitedError, UpstreamError } from '../../lambdas/core/errors';
import { FIXTURE_PARTITION_TIME, type Harness, makeHarness } from './extract-harness';

type Answer = { status: number; headers?: Record<string, string>; body: string };

describe('HttpClient (messages, logs, limits)', () => {
  let server: Server;
  let base: string;
  let answers: Answer[] = [];
  let h: Harness;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      const a = answers.shift() ?? { status: 500, body: 'no answer scripted' };
      res.writeHead(a.status, { 'Content-Type': 'text/plain', ...a.headers });
      res.end(a.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  afterEach(async () => {
    answers = [];
    await h?.dispose();
  });

  const client = async (maxAttempts = 2, maxWaitMs = 60_000) => {
    h = await makeHarness();
    return new HttpClient({
      lake: h.lake,
      // The harness's capturing logger (its deps need only a base URL).
      logger: h.deps({ url: base } as never).logger,
      now: () => new Date(h.clock.nowMs),
      sleep: async (ms) => {
        h.sleeps.push(ms);
      },
      random: () => 0.5,
      maxAttempts,
      maxWaitMs,
    });
  };
  const get = (c: HttpClient, url = `${base}/api/global/`) =>
    c.request({
      method: 'GET',
      url,
      source: 'coinlore',
      endpoint: 'global',
      partitionTime: new Date(FIXTURE_PARTITION_TIME),
      part: 'p000',
    });
  const logs = () => h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('quotes at most 80 characters of a 5xx body, then an ellipsis, in the error', async () => {
    const body = `${'a'.repeat(80)}${'b'.repeat(120)}`;
    answers = [
      { status: 500, body },
      { status: 500, body },
    ];
    const err = (await get(await client()).catch((e: unknown) => e)) as UpstreamError;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toBe(`GET ${base}/api/global/ failed after 2 attempts: HTTP 500: ${'a'.repeat(80)}…`);
  });

  it('quotes a short body whole, without an ellipsis', async () => {
    answers = [
      { status: 503, body: 'down' },
      { status: 503, body: 'down' },
    ];
    const err = (await get(await client()).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/: HTTP 503: down$/);
  });

  it('names a 2xx body that is not JSON as such, with an excerpt', async () => {
    answers = [
      { status: 200, body: '<html>oops</html>' },
      { status: 200, body: '<html>oops</html>' },
    ];
    const err = (await get(await client()).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(
      /: HTTP 200 with a body that is not JSON \(truncated or an error page\): <html>oops<\/html>$/,
    );
  });

  it('gives up on repeated 429s with RateLimitedError naming "HTTP 429 Too Many Requests"', async () => {
    answers = [
      { status: 429, headers: { 'Retry-After': '1' }, body: '' },
      { status: 429, headers: { 'Retry-After': '1' }, body: '' },
    ];
    const err = (await get(await client()).catch((e: unknown) => e)) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toMatch(/failed after 2 attempts: HTTP 429 Too Many Requests$/);
    expect(err.retryAfterSeconds).toBe(1);
  });

  it('waits a Retry-After equal to the in-process limit instead of giving up', async () => {
    answers = [
      { status: 429, headers: { 'Retry-After': '60' }, body: '' },
      { status: 200, headers: { 'Content-Type': 'application/json' }, body: '[]' },
    ];
    const res = await get(await client(2, 60_000));
    expect(res.attempts).toBe(2);
    expect(h.sleeps).toEqual([60_000]);
  });

  it('names the network error code and keeps the error as cause when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = (await get(await client(), `http://127.0.0.1:${port}/x`).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.message).toMatch(/failed after 2 attempts: no response \(ECONNREFUSED: /);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('logs each retry and the final give-up with the url, attempt, reason, delay and raw key', async () => {
    answers = [
      { status: 500, body: 'x' },
      { status: 500, body: 'x' },
    ];
    await get(await client()).catch(() => undefined);
    const [retry, gaveUp] = logs();
    expect(retry).toEqual({
      level: 'WARN',
      message: 'http request retrying',
      url: `${base}/api/global/`,
      attempt: 1,
      reason: 'HTTP 500: x',
      delayMs: expect.any(Number),
    });
    expect(gaveUp).toMatchObject({
      level: 'ERROR',
      message: 'http request gave up',
      url: `${base}/api/global/`,
      attempt: 2,
      reason: 'HTTP 500: x',
    });
    expect(String(gaveUp!.rawKey)).toMatch(/^raw\/coinlore\/global\//);
  });

  it('archives response header names in lower case', async () => {
    answers = [
      { status: 200, headers: { 'X-RateLimit-Used': '3', 'Content-Type': 'application/json' }, body: '[]' },
    ];
    await get(await client());
    const [archived] = await h.envelopes();
    expect(archived!.envelope.response.headers['x-ratelimit-used']).toBe('3');
    expect(Object.keys(archived!.envelope.response.headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  it('logs a non-retryable answer once as "http request failed" with the error name and raw key', async () => {
    answers = [{ status: 401, body: 'nope' }];
    await get(await client()).catch(() => undefined);
    const [failed] = logs();
    expect(failed).toMatchObject({
      level: 'ERROR',
      message: 'http request failed',
      url: `${base}/api/global/`,
      attempt: 1,
      error: 'AuthError',
    });
    expect(String(failed!.rawKey)).toMatch(/^raw\/coinlore\/global\//);
  });

  it('says how long the upstream asked to wait when Retry-After exceeds the in-process limit', async () => {
    answers = [{ status: 429, headers: { 'Retry-After': '600' }, body: '' }];
    const err = (await get(await client(3, 60_000)).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      `GET ${base}/api/global/ asked to retry after 600s, longer than this invocation waits; retry the run later`,
    );
  });

  it('waits for an exhausted budget with an info log, or refuses with the reset time past the limit', async () => {
    const budget = (reset: string): Answer => ({
      status: 200,
      headers: {
        'Content-Type': 'application/json',
        'X-Ratelimit-Remaining': '0',
        'X-Ratelimit-Reset': reset,
        'X-Ratelimit-Used': '100',
      },
      body: '[]',
    });
    answers = [budget('5'), { status: 200, headers: { 'Content-Type': 'application/json' }, body: '[]' }];
    const c = await client();
    await get(c);
    await get(c);
    expect(h.sleeps).toEqual([5000]);
    expect(logs().find((l) => l.message === 'rate-limit budget exhausted, waiting for reset')).toEqual({
      level: 'INFO',
      message: 'rate-limit budget exhausted, waiting for reset',
      url: `${base}/api/global/`,
      waitMs: 5000,
    });

    answers = [budget('600')];
    const slow = await client(2, 60_000);
    await get(slow);
    const err = (await get(slow).catch((e: unknown) => e)) as RateLimitedError;
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.message).toBe(
      `rate-limit budget exhausted before GET ${base}/api/global/; resets in 600s, retry the run later`,
    );
    expect(err.retryAfterSeconds).toBe(600);
  });
});
