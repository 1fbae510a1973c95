import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsLakeStore } from '../../lambdas/adapters/fs-lake-store';
import type { PipelineInput, TransformOutput } from '../../lambdas/contracts';
import type { Envelope } from '../../lambdas/core/envelope';
import type { PipelineLogger } from '../../lambdas/deps';
import { DefinitionError, LocalExecutor } from '../../local/executor/executor';
import {
  loadEnvelopes,
  type ReplayServer,
  replaySourceUrls,
  startReplayServer,
} from '../../local/replay-server';
import { createTwin, LOCAL_PLACEHOLDERS } from '../../local/runner';
import { describeRecording } from '../../local/sources';
import { PIPELINE_DEFINITION_PATH, renderDefinition } from '../../statemachines/placeholders';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'replay');
const quiet: PipelineLogger = { debug() {}, info() {}, warn() {}, error() {} };

interface Summary {
  datasets: TransformOutput[];
}

describe('pipeline.asl.json on the local executor', () => {
  let envelopes: Envelope[];
  let input: PipelineInput;
  let at: Date;

  beforeAll(async () => {
    envelopes = await loadEnvelopes(FIXTURES);
    const rec = describeRecording(envelopes);
    input = { subreddits: rec.subreddits, coinlorePages: rec.coinlorePages, lookbackMinutes: 15 };
    at = rec.start;
  });

  /** A twin over a fresh lake and a replay server of (possibly modified) fixtures. */
  const servers: ReplayServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  const setup = async (
    opts: { envelopes?: Envelope[]; faults?: Parameters<typeof startReplayServer>[0]['faults'] } = {},
  ) => {
    const server = await startReplayServer({ envelopes: opts.envelopes ?? envelopes, faults: opts.faults });
    servers.push(server);
    const lake = new FsLakeStore(mkdtempSync(join(tmpdir(), 'fdl-pipeline-')));
    const twin = createTwin({
      lake,
      source: {
        baseUrls: replaySourceUrls(server),
        getRedditCredentials: async () => ({ clientId: 'test', clientSecret: 'test' }),
      },
      userAgent: 'test:finance-de-lab:0.0.0 (by /u/test)',
      logger: quiet,
      delayScale: 0,
      // One HTTP attempt: upstream errors surface to the state machine's Retry instead of the client's.
      http: { maxAttempts: 1, timeoutMs: 5000 },
    });
    return { server, lake, twin };
  };

  it('loads with every placeholder filled and every state reachable', () => {
    const def = renderDefinition(readFileSync(PIPELINE_DEFINITION_PATH, 'utf8'), { ...LOCAL_PLACEHOLDERS });
    expect(
      () =>
        new LocalExecutor(def, {
          resources: Object.fromEntries(
            Object.values(LOCAL_PLACEHOLDERS).map((id) => [id, async () => ({})]),
          ),
        }),
    ).not.toThrow();
    expect(() => new LocalExecutor(def, { resources: {} })).toThrow(DefinitionError);
  });

  it('lands one file per dataset with keys and counts only when both sources answer', async () => {
    const { lake, twin } = await setup();
    const r = await twin.execute(input, { name: 'happy', at });
    expect(r.status).toBe('SUCCEEDED');
    const out = r.output as Summary & { runId: string; partitionTime: string };
    expect(out.runId).toBe('happy');
    expect(out.partitionTime).toBe(at.toISOString());
    const byDataset = Object.fromEntries(out.datasets.map((d) => [d.dataset, d]));
    expect(Object.keys(byDataset).sort()).toEqual([
      'coinlore_global',
      'coinlore_tickers',
      'reddit_comments',
      'reddit_posts',
    ]);
    for (const d of out.datasets) expect(await lake.list(d.key!)).toEqual([d.key]);
    // Expected rows from the envelopes the run archived: tickers' data[], global's single object,
    // listing children of kind t3/t1 (a "more" child is not a comment).
    const raw = async (prefix: string) =>
      Promise.all(
        (await lake.list(prefix)).map(
          async (k) => JSON.parse(Buffer.from(await lake.get(k)).toString()) as Envelope,
        ),
      );
    const tickers = (await raw('raw/coinlore/tickers/')).flatMap(
      (e) => (e.response.body as { data: unknown[] }).data,
    );
    const children = async (endpoint: string, kind: string) =>
      new Set(
        (await raw(`raw/reddit/${endpoint}/`))
          .flatMap(
            (e) =>
              (e.response.body as { data: { children: { kind: string; data: { id: string } }[] } }).data
                .children,
          )
          .filter((c) => c.kind === kind)
          .map((c) => c.data.id),
      ).size;
    expect(byDataset.coinlore_tickers!.rows + byDataset.coinlore_tickers!.rejects).toBe(tickers.length);
    expect(byDataset.coinlore_global!.rows).toBe((await raw('raw/coinlore/global/')).length);
    expect(byDataset.reddit_posts!.rows + byDataset.reddit_posts!.rejects).toBe(await children('new', 't3'));
    expect(byDataset.reddit_comments!.rows + byDataset.reddit_comments!.rejects).toBe(
      await children('comments', 't1'),
    );
    expect(twin.alerts).toEqual([]);
    expect(JSON.stringify(r.output).length).toBeLessThan(4096);
  });

  it('still lands Reddit data, raises an alert and fails the execution when Coinlore answers 500', async () => {
    const { lake, twin } = await setup({
      faults: [
        { kind: 'server-error', match: /^GET \/api\/(tickers|global)/, times: Number.POSITIVE_INFINITY },
      ],
    });
    const r = await twin.execute(input, { name: 'coinlore-down', at });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('PipelineFailed');
    expect(r.cause).toMatch(/coinlore: UpstreamError/);
    expect(await lake.list('coinlore_tickers/')).toEqual([]);
    expect((await lake.list('reddit_posts/')).length).toBe(1);
    expect((await lake.list('reddit_comments/')).length).toBe(1);
    expect(twin.alerts).toHaveLength(1);
    expect(twin.alerts[0]!.topicArn).toBe(LOCAL_PLACEHOLDERS.AlertsTopicArn);
    expect(twin.alerts[0]!.message).toMatch(/coin-?lore/i);
    expect(twin.alerts[0]!.message).toMatch(/UpstreamError/);
    expect(twin.alerts[0]!.message).toMatch(/coinlore-down/);
    // The state machine retried the retryable error before giving up.
    const retries = r.history.filter((e) => e.type === 'RetryScheduled' && e.state === 'ExtractCoinlore');
    expect(retries.length).toBe(3);
  });

  it('retries a Reddit 429 and succeeds', async () => {
    const { twin, server } = await setup({ faults: [{ kind: 'rate-limit', match: '/new', times: 1 }] });
    const r = await twin.execute(input, { name: 'reddit-429', at });
    expect(r.status).toBe('SUCCEEDED');
    const retries = r.history.filter((e) => e.type === 'RetryScheduled');
    expect(retries.map((e) => [e.state, e.error])).toEqual([['ExtractReddit', 'RateLimitedError']]);
    expect(server.requests.filter((q) => q.status === 429)).toHaveLength(1);
    expect(twin.alerts).toEqual([]);
  });

  it('sends bad ticker rows to a rejects file and counts them', async () => {
    const broken = envelopes.map((e) => {
      if (e.endpoint !== 'tickers') return e;
      const body = e.response.body as { data: Record<string, unknown>[] };
      const data = body.data.map((t, i) => (i < 2 ? { ...t, price_usd: '', symbol: '' } : t));
      return { ...e, response: { ...e.response, body: { ...body, data } } };
    });
    const { lake, twin } = await setup({ envelopes: broken });
    const r = await twin.execute(input, { name: 'rejects', at });
    expect(r.status).toBe('SUCCEEDED');
    const tickers = (r.output as Summary).datasets.find((d) => d.dataset === 'coinlore_tickers')!;
    const total = (broken.find((e) => e.endpoint === 'tickers')!.response.body as { data: unknown[] }).data
      .length;
    expect(tickers.rejects).toBe(2);
    expect(tickers.rows).toBe(total - 2);
    const lines = Buffer.from(await lake.get(tickers.rejectsKey!))
      .toString()
      .trim()
      .split('\n');
    expect(lines).toHaveLength(2);
  });
});
