import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '../../lambdas/core/envelope';
import { loadEnvelopes, matchKey, type ReplayServer, startReplayServer } from '../../local/replay-server';

const SAMPLE_DIR = join(import.meta.dirname, '..', '..', 'replay', 'sample');

const env = (url: string, fetchedAt: string, body: unknown, method = 'GET'): Envelope => ({
  request: { method, url },
  response: { status: 200, headers: { 'content-type': 'application/json', 'x-test': 'yes' }, body },
  fetched_at: fetchedAt,
  source: 'coinlore',
  endpoint: 'tickers',
});

describe('startReplayServer', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplayServer({
      envelopes: [
        env('https://api.coinlore.net/api/tickers/?start=0&limit=100', '2026-01-01T00:10:00Z', { tick: 2 }),
        env('https://api.coinlore.net/api/tickers/?start=0&limit=100', '2026-01-01T00:00:00Z', { tick: 1 }),
        env('https://api.coinlore.net/api/global/', '2026-01-01T00:00:00Z', '<html>not json</html>'),
      ],
    });
  });
  afterAll(() => server.close());

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${server.url}${path}`, init);
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  it('serves envelopes of one URL in fetched_at order, round-robin, ignoring host and query order', async () => {
    const bodies = [];
    for (const path of [
      '/api/tickers/?start=0&limit=100',
      '/api/tickers/?limit=100&start=0',
      '/api/tickers?start=0&limit=100',
    ])
      bodies.push(JSON.parse((await get(path)).text).tick);
    expect(bodies).toEqual([1, 2, 1]);
  });

  it('answers a string body as-is with the recorded headers', async () => {
    const res = await get('/api/global/');
    expect(res.text).toBe('<html>not json</html>');
    expect(res.headers.get('x-test')).toBe('yes');
  });

  it('answers 404 with a JSON body naming the request when no envelope matches', async () => {
    const res = await get('/api/unknown/?a=1');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).request).toBe('GET /api/unknown/?a=1');
  });

  it('records requests without the Authorization credential', async () => {
    await get('/api/global/', { headers: { Authorization: 'bearer super-secret-value' } });
    const last = server.requests.at(-1)!;
    expect(last.authScheme).toBe('bearer');
    expect(JSON.stringify(server.requests)).not.toContain('super-secret-value');
  });

  it('applies a fault only to matching requests and only as many times as asked', async () => {
    server.setFaults([{ kind: 'rate-limit', match: '/api/global/', times: 2, retryAfterSeconds: 9 }]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/api/global/')).status);
    expect(statuses).toEqual([429, 429, 200]);
    expect((await get('/api/tickers/?start=0&limit=100')).status).toBe(200);
    server.setFaults([{ kind: 'rate-limit', retryAfterSeconds: 9 }]);
    expect((await get('/api/global/')).headers.get('retry-after')).toBe('9');
  });

  it('truncates the JSON body when a truncated-json fault is set', async () => {
    server.setFaults([{ kind: 'truncated-json', match: /tickers/ }]);
    const res = await get('/api/tickers/?start=0&limit=100');
    expect(() => JSON.parse(res.text)).toThrow();
    expect(res.text).toBe('{"tic'); // half of {"tick":N}
  });

  it('closes promptly while a slow response is still pending', async () => {
    const s = await startReplayServer({ envelopes: [], faults: [{ kind: 'slow', delayMs: 60_000 }] });
    const pending = fetch(`${s.url}/api/v1/access_token`, { method: 'POST' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it('serves a fake token when the folder has no token envelope', async () => {
    const res = await get('/api/v1/access_token', { method: 'POST' });
    expect(JSON.parse(res.text)).toMatchObject({ token_type: 'bearer', expires_in: 86400 });
  });
});

describe('replay sample', () => {
  it('holds 6 snapshots of every request the extractors make, under 3 MB, with no token', async () => {
    const envs = await loadEnvelopes(SAMPLE_DIR);
    const byKey = new Map<string, number>();
    for (const e of envs) {
      const u = new URL(e.request.url);
      const k = matchKey(e.request.method, `${u.pathname}${u.search}`);
      byKey.set(k, (byKey.get(k) ?? 0) + 1);
    }
    expect(byKey.get('POST /api/v1/access_token')).toBe(1);
    const snapshots = [...byKey.entries()].filter(([k]) => !k.startsWith('POST'));
    expect(snapshots).toHaveLength(4 + 6);
    expect(snapshots.every(([, n]) => n === 6)).toBe(true);
    const text = JSON.stringify(envs);
    expect(text.length).toBeLessThan(3_000_000);
    const tokens = envs
      .filter((e) => e.endpoint === 'access_token')
      .map((e) => (e.response.body as { access_token: string }).access_token);
    expect(tokens).toEqual(['[REDACTED]']);
  });
});
