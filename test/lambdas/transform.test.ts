import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../lambdas/core/datasets';
import { transformEnvelopes, universeFromTickerRows } from '../../lambdas/core/transform';
import {
  comment,
  envelope,
  FETCHED_AT,
  GLOBAL_BODY,
  keyed,
  listing,
  post,
  ticker,
  tickersBody,
} from './envelope-builder';

const ctx = { runId: 'run-1' };
const sha = (...parts: string[]) => createHash('sha256').update(parts.join('\u001f')).digest('hex');
const columnsOf = (d: keyof typeof DATASETS) => DATASETS[d].columns.map((c) => c.name);

describe('transformEnvelopes', () => {
  it('types every ticker column from the schema when given a Coinlore tickers page', () => {
    const r = transformEnvelopes(
      'coinlore_tickers',
      [keyed('raw/a.json', envelope('coinlore', 'tickers', tickersBody([ticker(90, { rank: '1' })])))],
      ctx,
    );
    expect(r.rows).toHaveLength(1);
    const row = r.rows[0]!;
    expect(Object.keys(row)).toEqual(columnsOf('coinlore_tickers'));
    expect(row).toMatchObject({
      run_id: 'run-1',
      coin_id: '90',
      symbol: 'C90',
      rank: 1,
      price_usd: 112.5,
      price_btc: 0.000024791,
      volume24: 11234567890.12,
      msupply: null,
    });
    expect((row.extracted_at as Date).toISOString()).toBe(FETCHED_AT);
    expect(row.record_id).toBe(sha('coinlore', '90', FETCHED_AT));
    // "" is "no value": not counted as a lost value.
    expect(r.nullCounts).toEqual({});
  });

  it('counts nulls and rejects with the reason when values do not cast', () => {
    const r = transformEnvelopes(
      'coinlore_tickers',
      [
        keyed(
          'raw/a.json',
          envelope(
            'coinlore',
            'tickers',
            tickersBody([
              ticker(1, { percent_change_1h: 'NaN', rank: '9007199254740993', tsupply: '-' }),
              ticker(2, { price_usd: '' }),
              ticker(3, { price_usd: 'abc' }),
              ticker(4, { symbol: null, name: undefined }),
              ticker(5, { price_usd: '123456789012345678901234.123456789', msupply: null }),
              'not an object',
            ]),
          ),
        ),
      ],
      ctx,
    );
    expect(r.rows.map((x) => x.coin_id)).toEqual(['1', '5']);
    expect(r.rows[0]).toMatchObject({ percent_change_1h: null, rank: null, tsupply: null });
    expect(r.rows[1]!.price_usd).toBe(Number('123456789012345678901234.123456789'));
    expect(r.rejects.map((x) => x.reason)).toEqual([
      'missing price_usd',
      'invalid price_usd: "abc"',
      'missing symbol; missing name',
      'record is not an object ("not an object")',
    ]);
    expect(r.rejects[0]).toMatchObject({ rawKey: 'raw/a.json', record: { id: '2' } });
    expect(r.nullCounts).toEqual({ percent_change_1h: 1, rank: 1, tsupply: 1, price_usd: 1 });
  });

  it('keeps the latest extraction when a natural key repeats within the batch', () => {
    const early = envelope('coinlore', 'tickers', tickersBody([ticker(1), ticker(2)]), {
      fetchedAt: '2026-11-24T10:20:01.000Z',
    });
    const late = envelope('coinlore', 'tickers', tickersBody([ticker(2, { price_usd: '9.99' }), ticker(3)]), {
      fetchedAt: '2026-11-24T10:20:02.000Z',
    });
    for (const order of [
      [keyed('p0', early), keyed('p1', late)],
      [keyed('p1', late), keyed('p0', early)],
    ]) {
      const r = transformEnvelopes('coinlore_tickers', order, ctx);
      expect(r.duplicates).toBe(1);
      expect(r.rows.map((x) => x.coin_id).sort()).toEqual(['1', '2', '3']);
      expect(r.rows.find((x) => x.coin_id === '2')!.price_usd).toBe(9.99);
    }
  });

  it('treats ids that differ only in a lone surrogate as one key, as the file and record_id store them', () => {
    // UTF-8 cannot hold a lone surrogate: both ids are stored, and hashed into record_id, as "a\uFFFD".
    const body = listing([post('a\ud800', { title: 'first' }), post('a\ud801', { title: 'second' })]);
    const r = transformEnvelopes('reddit_posts', [keyed('k', envelope('reddit', 'new', body))], ctx);
    expect(r.duplicates).toBe(1);
    expect(r.rows.map((x) => [x.post_id, x.title])).toEqual([['a\ufffd', 'second']]);
    expect(r.rows[0]!.record_id).toBe(sha('reddit', 'a\ud800', FETCHED_AT));
  });

  it('gives the same record_id when the same envelope is transformed twice, and a new one when extracted later', () => {
    const a = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', envelope('coinlore', 'tickers', tickersBody([ticker(7)])))],
      ctx,
    );
    const b = transformEnvelopes(
      'coinlore_tickers',
      [keyed('k', envelope('coinlore', 'tickers', tickersBody([ticker(7)])))],
      { runId: 'other' },
    );
    const c = transformEnvelopes(
      'coinlore_tickers',
      [
        keyed(
          'k',
          envelope('coinlore', 'tickers', tickersBody([ticker(7)]), {
            fetchedAt: '2026-11-24T10:30:00.000Z',
          }),
        ),
      ],
      ctx,
    );
    expect(a.rows[0]!.record_id).toBe(b.rows[0]!.record_id);
    expect(c.rows[0]!.record_id).not.toBe(a.rows[0]!.record_id);
  });

  it('makes one global row per extraction and rejects extra array elements', () => {
    const r = transformEnvelopes(
      'coinlore_global',
      [keyed('g', envelope('coinlore', 'global', [...GLOBAL_BODY, { coins_count: 1 }]))],
      ctx,
    );
    expect(r.rows).toHaveLength(1);
    expect(Object.keys(r.rows[0]!)).toEqual(columnsOf('coinlore_global'));
    expect(r.rows[0]).toMatchObject({ coins_count: 14993, btc_d: 59.5, mcap_ath: 33248067879029.688 });
    expect(r.rows[0]!.record_id).toBe(sha('coinlore', FETCHED_AT));
    expect(r.rejects).toHaveLength(1);
  });

  it('skips envelopes with the reason when the status is not 2xx or the body has the wrong shape', () => {
    const r = transformEnvelopes(
      'coinlore_tickers',
      [
        keyed('e503', envelope('coinlore', 'tickers', { error: 'down' }, { status: 503 })),
        keyed('e0', { ...envelope('coinlore', 'tickers', null, { status: 0 }), error: 'timeout' }),
        keyed('html', envelope('coinlore', 'tickers', '<html>Bad gateway</html>')),
        keyed('nodata', envelope('coinlore', 'tickers', { info: {} })),
        keyed('global', envelope('coinlore', 'global', GLOBAL_BODY)),
        keyed('broken', { nonsense: true } as never),
        keyed('ok', envelope('coinlore', 'tickers', tickersBody([ticker(1)]))),
      ],
      ctx,
    );
    expect(r.rows).toHaveLength(1);
    expect(r.skipped.map((s) => s.rawKey)).toEqual(['e503', 'e0', 'html', 'nodata', 'global', 'broken']);
    expect(r.skipped[0]!.reason).toBe('HTTP 503');
    expect(r.skipped[2]!.reason).toMatch(/not JSON/);
    expect(r.skipped[3]!.reason).toMatch(/body\.data is not an array/);
    expect(r.skipped[4]!.reason).toMatch(/coinlore\/global, not coinlore_tickers/);
    expect(r.skipped[5]!.reason).toMatch(/not an envelope/);
  });

  it('cleans Reddit posts when given a listing with the API quirks', () => {
    const r = transformEnvelopes(
      'reddit_posts',
      [
        keyed(
          'new',
          envelope(
            'reddit',
            'new',
            listing([
              post('1k2b3c5'),
              post('1k2b3c4', {
                selftext: '[removed]',
                author: '[deleted]',
                edited: 1788363080.5,
                title: 'Gas fees',
              }),
              post('1k2b3c3', {
                selftext: '',
                is_self: false,
                over_18: true,
                id: undefined,
                name: 't3_1k2b3c3',
              }),
              post('1k2b3c2', { title: '' }),
              { kind: 'more', data: { count: 3, children: ['a', 'b'] } },
              comment('wrongkind'),
            ]),
          ),
        ),
      ],
      ctx,
    );
    expect(r.moreSkipped).toBe(1);
    expect(r.rejects.map((x) => x.reason)).toEqual(['missing title', 'expected a t3 child, got kind "t1"']);
    const [a, b, c] = r.rows;
    expect(Object.keys(a!)).toEqual(columnsOf('reddit_posts'));
    expect(a).toMatchObject({
      post_id: '1k2b3c5',
      is_deleted: false,
      edited_at: null,
      selftext: 'Volume looks strong, bullish on bitcoin',
      mentioned_symbols: 'BTC',
      sentiment_label: 'positive',
    });
    expect((a!.created_utc as Date).toISOString()).toBe('2026-09-02T15:30:01.000Z');
    expect(b).toMatchObject({ is_deleted: true, selftext: null, mentioned_symbols: null });
    expect((b!.edited_at as Date).toISOString()).toBe('2026-09-02T15:31:20.500Z');
    expect(c).toMatchObject({ post_id: '1k2b3c3', selftext: null, is_self: false, is_over_18: true });
    // Authors are not stored anywhere in the rows.
    expect(JSON.stringify(r.rows)).not.toMatch(/satoshi_fan|author/);
  });

  it('cleans Reddit comments when given deleted, edited and prefixed ids', () => {
    const r = transformEnvelopes(
      'reddit_comments',
      [
        keyed(
          'c',
          envelope(
            'reddit',
            'comments',
            listing([
              comment('mxq2b1b'),
              comment('mxq2b1a', {
                body: '[deleted]',
                author: '[deleted]',
                edited: 1788363080.0,
                parent_id: 't1_x',
              }),
              comment('mxq2b19', { link_id: undefined }),
            ]),
          ),
        ),
      ],
      ctx,
    );
    expect(r.rejects.map((x) => x.reason)).toEqual(['missing post_id']);
    const [a, b] = r.rows;
    expect(Object.keys(a!)).toEqual(columnsOf('reddit_comments'));
    expect(a).toMatchObject({
      comment_id: 'mxq2b1b',
      post_id: '1k2b3c5',
      parent_id: 't3_1k2b3c5',
      mentioned_symbols: 'ETH',
      is_deleted: false,
    });
    expect(a!.sentiment_score as number).toBeGreaterThan(0);
    expect(b).toMatchObject({
      body: null,
      is_deleted: true,
      parent_id: 't1_x',
      sentiment_score: 0,
      sentiment_label: 'neutral',
    });
    expect(a!.record_id).toBe(sha('reddit', 'mxq2b1b', FETCHED_AT));
  });

  it('uses the given universe for mentions when the context has one', () => {
    const tickers = transformEnvelopes(
      'coinlore_tickers',
      [
        keyed(
          't',
          envelope('coinlore', 'tickers', tickersBody([ticker(2, { symbol: 'ZED', name: 'Zed Coin' })])),
        ),
      ],
      ctx,
    );
    const universe = universeFromTickerRows(tickers.rows);
    const r = transformEnvelopes(
      'reddit_comments',
      [keyed('c', envelope('reddit', 'comments', listing([comment('x', { body: 'ZED and BTC' })])))],
      { runId: 'r', universe },
    );
    expect(r.rows[0]!.mentioned_symbols).toBe('ZED');
  });
});
