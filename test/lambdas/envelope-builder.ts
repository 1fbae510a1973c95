/** Small builders for raw envelopes in transform, Parquet and reprocess tests (shapes: docs/external-facts.md). */
import type { Source } from '../../lambdas/core/datasets';
import type { Envelope } from '../../lambdas/core/envelope';
import type { KeyedEnvelope } from '../../lambdas/core/transform';

export const FETCHED_AT = '2026-11-24T10:20:00.123Z';

export function envelope(
  source: Source,
  endpoint: string,
  body: unknown,
  options: { status?: number; fetchedAt?: string } = {},
): Envelope {
  return {
    request: { method: 'GET', url: `https://example.test/${source}/${endpoint}` },
    response: { status: options.status ?? 200, headers: { 'content-type': 'application/json' }, body },
    fetched_at: options.fetchedAt ?? FETCHED_AT,
    source,
    endpoint,
  };
}

export const keyed = (key: string, env: Envelope): KeyedEnvelope => ({ key, envelope: env });

export function ticker(id: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: String(id),
    symbol: `C${id}`,
    name: `Coin ${id}`,
    nameid: `coin-${id}`,
    rank: id,
    price_usd: `${(id * 1.25).toFixed(2)}`,
    percent_change_24h: '-0.98',
    percent_change_1h: '0.12',
    percent_change_7d: '-4.05',
    price_btc: '0.000024791',
    market_cap_usd: '230812345678.90',
    volume24: 11234567890.12,
    volume24a: 10987654321.34,
    csupply: '120684526.00',
    tsupply: '120684526',
    msupply: '',
    ...overrides,
  };
}

export const tickersBody = (tickers: unknown[]) => ({
  data: tickers,
  info: { coins_num: 14993, time: 1788363842 },
});

export const GLOBAL_BODY = [
  {
    coins_count: 14993,
    active_markets: 28840,
    total_mcap: 2589177854944.69,
    total_volume: 120828883081.005,
    btc_d: '59.50',
    eth_d: '11.30',
    mcap_change: '-1.12',
    volume_change: '10.84',
    avg_change_percent: '-0.17',
    volume_ath: 344187126190825200,
    mcap_ath: 33248067879029.688,
  },
];

export function post(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 't3',
    data: {
      id,
      name: `t3_${id}`,
      subreddit: 'CryptoCurrency',
      author: 'satoshi_fan',
      title: 'BTC holds 77k after ETF inflows',
      selftext: 'Volume looks strong, bullish on bitcoin',
      score: 14,
      upvote_ratio: 0.89,
      num_comments: 6,
      created_utc: 1788363001.0,
      permalink: `/r/CryptoCurrency/comments/${id}/btc_holds_77k/`,
      url: `https://www.reddit.com/r/CryptoCurrency/comments/${id}/`,
      is_self: true,
      over_18: false,
      edited: false,
      ...overrides,
    },
  };
}

export function comment(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 't1',
    data: {
      id,
      name: `t1_${id}`,
      subreddit: 'CryptoCurrency',
      author: 'hodl4ever',
      body: 'This rally feels sustainable. $ETH next',
      score: 5,
      created_utc: 1788363100.0,
      link_id: 't3_1k2b3c5',
      parent_id: 't3_1k2b3c5',
      permalink: `/r/CryptoCurrency/comments/1k2b3c5/x/${id}/`,
      edited: false,
      replies: '',
      ...overrides,
    },
  };
}

export const listing = (children: unknown[]) => ({
  kind: 'Listing',
  data: { after: null, before: null, dist: children.length, modhash: '', geo_filter: '', children },
});
