import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExtractCoinloreInput } from '../../lambdas/contracts';
import { hasNextTickersPage } from '../../lambdas/core/coinlore';
import { SchemaDriftError, UpstreamError } from '../../lambdas/core/errors';
import { rawKey } from '../../lambdas/core/lake';
import { createExtractCoinlore } from '../../lambdas/handlers/extract-coinlore';
import { type ReplayServer, startReplayServer } from '../../local/replay-server';
import { FIXTURE_DIR, FIXTURE_PARTITION_TIME, type Harness, makeHarness } from './extract-harness';

const input: ExtractCoinloreInput = { runId: 'run-test-1', partitionTime: FIXTURE_PARTITION_TIME, pages: 5 };
const pt = new Date(FIXTURE_PARTITION_TIME);

describe('createExtractCoinlore', () => {
  let server: ReplayServer;
  let h: Harness;
  beforeAll(async () => {
    server = await startReplayServer({ dir: FIXTURE_DIR });
  });
  afterAll(() => server.close());
  afterEach(async () => {
    server.setFaults([]);
    server.requests.length = 0;
    await h.dispose();
  });

  it('archives one tickers page and the global and returns their keys when coins_num fits one page', async () => {
    h = await makeHarness();
    const out = await createExtractCoinlore(h.deps(server))(input);
    expect(out).toEqual({
      source: 'coinlore',
      requests: 2,
      batches: [
        { dataset: 'coinlore_tickers', rawKeys: [rawKey('coinlore', 'tickers', pt, 'p000')] },
        { dataset: 'coinlore_global', rawKeys: [rawKey('coinlore', 'global', pt, 'p000')] },
      ],
    });
    expect(server.requests.map((r) => r.path)).toEqual(['/api/tickers/?start=0&limit=100', '/api/global/']);
    const archived = await h.envelopes();
    const tickers = archived.find((a) => a.envelope.endpoint === 'tickers')!.envelope.response.body as {
      data: Record<string, unknown>[];
    };
    // Quirks survive the archive untouched: numbers as strings, "", null and numeric msupply.
    expect(tickers.data.map((t) => t.msupply)).toEqual([
      '21000000',
      '',
      null,
      0,
      1000000000000000,
      '420690000000000',
      '',
    ]);
    expect(h.logLines.every((l) => JSON.parse(l).run_id === 'run-test-1')).toBe(true);
  });

  it('throws SchemaDriftError naming the field and keeps the envelope when price_usd disappears', async () => {
    h = await makeHarness();
    server.setFaults([
      {
        kind: 'schema-drift',
        match: '/api/tickers/',
        drift: (b) => {
          const body = b as { data: Record<string, unknown>[] };
          return {
            ...body,
            data: body.data.map(({ price_usd, ...rest }) => ({ ...rest, priceUsd: price_usd })),
          };
        },
      },
    ]);
    const err = await createExtractCoinlore(h.deps(server))(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaDriftError);
    expect((err as Error).message).toContain('"price_usd"');
    expect((await h.envelopes()).map((a) => a.key)).toEqual([rawKey('coinlore', 'tickers', pt, 'p000')]);
  });

  it('throws SchemaDriftError naming the field when the global object loses its first field', async () => {
    h = await makeHarness();
    server.setFaults([{ kind: 'schema-drift', match: '/api/global/' }]);
    await expect(createExtractCoinlore(h.deps(server))(input)).rejects.toThrow(/"coins_count"/);
  });

  it('throws UpstreamError after the retries when the tickers endpoint keeps failing', async () => {
    h = await makeHarness();
    server.setFaults([
      { kind: 'server-error', match: '/api/tickers/', times: Number.POSITIVE_INFINITY, status: 502 },
    ]);
    const err = await createExtractCoinlore(h.deps(server), { maxAttempts: 2 })(input).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    expect((await h.envelopes()).map((a) => a.envelope.response.status)).toEqual([502, 502]);
  });
});

describe('createExtractCoinlore on the bundled replay sample', () => {
  it('fetches 3 pages and serves a different snapshot on each run', async () => {
    const server = await startReplayServer({
      dir: join(import.meta.dirname, '..', '..', 'replay', 'sample'),
    });
    const h = await makeHarness();
    try {
      const extract = createExtractCoinlore(h.deps(server));
      const btcPrices: string[] = [];
      for (const runId of ['sample-1', 'sample-2']) {
        // pages: 10 asks for more than the sample holds; info.coins_num (300) stops paging after 3.
        const out = await extract({ runId, partitionTime: FIXTURE_PARTITION_TIME, pages: 10 });
        expect(out.batches[0].rawKeys).toHaveLength(3);
        const env = JSON.parse(new TextDecoder().decode(await h.lake.get(out.batches[0].rawKeys[0])));
        btcPrices.push(env.response.body.data.find((t: { symbol: string }) => t.symbol === 'BTC').price_usd);
      }
      expect(btcPrices[0]).not.toBe(btcPrices[1]);
    } finally {
      await server.close();
      await h.dispose();
    }
  });
});

describe('hasNextTickersPage', () => {
  it.each([
    [0, 100, 3, undefined, true],
    [2, 100, 3, undefined, false],
    [0, 99, 3, undefined, false],
    [0, 100, 3, 100, false],
    [0, 100, 3, 101, true],
  ])('page %i with %i rows of %i wanted (coins_num %s) → %s', (page, rows, wanted, coinsNum, expected) => {
    expect(hasNextTickersPage(page, rows, wanted, coinsNum)).toBe(expected);
  });
});
