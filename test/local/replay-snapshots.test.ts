import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { Envelope } from '../../lambdas/core/envelope';
import { rawKey } from '../../lambdas/core/lake';
import type { PipelineLogger } from '../../lambdas/deps';
import {
  loadEnvelopes,
  type ReplayServer,
  replaySourceUrls,
  startReplayServer,
} from '../../local/replay-server';
import { runTicks } from '../../local/runner';
import { describeRecording, type ResolvedSource, TICK_MINUTES } from '../../local/sources';

/** Item: a failed attempt or a retried Task must get the same recorded snapshot, not the next one. */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');
const quiet: PipelineLogger = { debug() {}, info() {}, warn() {}, error() {} };
const TICKERS = '/api/tickers/?start=0&limit=100';

/** The fixtures as snapshot 0, plus a snapshot 1 ten minutes later whose tickers carry `snapshot: 1`. */
async function twoSnapshots(): Promise<Envelope[]> {
  const first = await loadEnvelopes(FIXTURES);
  const later = first.map((e) => {
    const fetched = new Date(Date.parse(e.fetched_at) + TICK_MINUTES * 60_000).toISOString();
    const body = e.endpoint === 'tickers' ? { ...(e.response.body as object), snapshot: 1 } : e.response.body;
    return { ...e, fetched_at: fetched, response: { ...e.response, body } };
  });
  return [...first, ...later];
}

describe('replay snapshots under retries', () => {
  const servers: ReplayServer[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const serve = async (faults: Parameters<typeof startReplayServer>[0]['faults'] = []) => {
    const server = await startReplayServer({ envelopes: await twoSnapshots(), faults });
    servers.push(server);
    return server;
  };
  const tickOf = async (server: ReplayServer) =>
    ((await (await fetch(`${server.url}${TICKERS}`)).json()) as { snapshot?: number }).snapshot ?? 0;

  it('does not consume a snapshot with an answer spoiled by a fault when serving round-robin', async () => {
    const server = await serve([{ kind: 'truncated-json', match: '/api/tickers/' }]);
    await fetch(`${server.url}${TICKERS}`); // the spoiled attempt
    expect([await tickOf(server), await tickOf(server)]).toEqual([0, 1]);
  });

  it('serves the pinned snapshot to every request of a tick, retries included', async () => {
    const server = await serve();
    server.selectSnapshot(1);
    expect([await tickOf(server), await tickOf(server), await tickOf(server)]).toEqual([1, 1, 1]);
    server.selectSnapshot(0);
    expect(await tickOf(server)).toBe(0);
  });

  it('archives snapshot i for tick i when tick 0 is retried by the state machine after a partial extraction', async () => {
    // Tickers answer fine, then the global fails: the extract Task fails and is retried, asking for the
    // tickers again. Round-robin would now hand tick 0 the tickers of snapshot 1.
    const server = await serve([{ kind: 'server-error', match: '/api/global/', times: 1 }]);
    const envelopes = await twoSnapshots();
    const rec = describeRecording(envelopes);
    const source: ResolvedSource = {
      kind: 'replay',
      description: 'test',
      baseUrls: replaySourceUrls(server),
      getRedditCredentials: async () => ({ clientId: 'test', clientSecret: 'test' }),
      tickTime: (i) => new Date(rec.start.getTime() + i * TICK_MINUTES * 60_000),
      startTick: (i) => server.selectSnapshot(i),
      snapshots: rec.snapshots,
      close: async () => {},
    };
    const root = mkdtempSync(join(tmpdir(), 'fdl-snapshots-'));
    dirs.push(root);
    const lake = new FsLakeStore(root);
    const { results } = await runTicks({
      source,
      ticks: 2,
      input: { subreddits: rec.subreddits, coinlorePages: rec.coinlorePages, lookbackMinutes: 15 },
      lake,
      userAgent: 'test:finance-de-lab:0.0.0 (by /u/test)',
      logger: quiet,
      delayScale: 0,
      http: { maxAttempts: 1, timeoutMs: 5000 },
    });
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(results[0]!.retries).toBeGreaterThan(0);
    for (const tick of [0, 1]) {
      const key = rawKey('coinlore', 'tickers', source.tickTime(tick)!, 'p000');
      const archived = JSON.parse(new TextDecoder().decode(await lake.get(key))) as Envelope;
      expect((archived.response.body as { snapshot?: number }).snapshot ?? 0).toBe(tick);
    }
  });
});
