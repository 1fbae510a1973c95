import { describe, expect, it } from 'vitest';
import { parseBackfillRequest, planItems, rawPrefixes, summarizeResults } from '../../lambdas/core/backfill';
import { ConfigError } from '../../lambdas/core/errors';
import { datasetKey, rawKey, rejectsKey } from '../../lambdas/core/lake';

const T = (iso: string) => new Date(iso);
const request = (over: Record<string, unknown> = {}) =>
  parseBackfillRequest({
    runId: 'backfill-x',
    partitionTime: '2026-12-01T00:00:00Z',
    from: '2026-11-24T10:00:00Z',
    to: '2026-11-24T10:20:00Z',
    ...over,
  });

describe('backfill plan', () => {
  it('tags rebuilt keys after the run stamp so they sort after the original, and refuses unsafe tags', () => {
    const t = T('2026-11-24T10:20:00Z');
    expect(datasetKey('coinlore_tickers', t, 'backfill-20261201T000000Z')).toBe(
      'coinlore_tickers/year=2026/month=11/day=24/coinlore_tickers_20261124_1020_backfill-20261201T000000Z.parquet',
    );
    expect(rejectsKey('reddit_posts', t, 'b1')).toBe(
      'rejects/reddit_posts/year=2026/month=11/day=24/reddit_posts_20261124_1020_b1.jsonl',
    );
    expect(datasetKey('coinlore_tickers', t, 'b1') > datasetKey('coinlore_tickers', t)).toBe(true);
    expect(() => datasetKey('coinlore_tickers', t, '../x')).toThrow(/rebuild tag must match/);
  });

  it('keeps runs from `from` up to but excluding `to`, one item per dataset and run, and ignores other endpoints', () => {
    const keys = [
      rawKey('coinlore', 'tickers', T('2026-11-24T09:50:00Z'), 'p0'),
      rawKey('coinlore', 'tickers', T('2026-11-24T10:00:00Z'), 'p1'),
      rawKey('coinlore', 'tickers', T('2026-11-24T10:00:00Z'), 'p0'),
      rawKey('reddit', 'comments', T('2026-11-24T10:10:00Z'), 'btc_p0'),
      rawKey('reddit', 'comments', T('2026-11-24T10:10:00Z'), 'eth_p0'),
      rawKey('reddit', 'access_token', T('2026-11-24T10:10:00Z'), 'p0'),
      rawKey('coinlore', 'tickers', T('2026-11-24T10:20:00Z'), 'p0'),
      'raw/coinlore/tickers/year=2026/month=11/day=24/notes.txt',
    ];
    expect(planItems(request(), keys)).toEqual([
      {
        runId: 'backfill-x-20261124_1000',
        partitionTime: '2026-11-24T10:00:00.000Z',
        dataset: 'coinlore_tickers',
        rawKeys: [keys[2], keys[1]],
        rebuild: 'backfill-x',
      },
      {
        runId: 'backfill-x-20261124_1010',
        partitionTime: '2026-11-24T10:10:00.000Z',
        dataset: 'reddit_comments',
        rawKeys: [keys[3], keys[4]],
        rebuild: 'backfill-x',
      },
    ]);
    expect(planItems(request({ datasets: ['coinlore_tickers'] }), keys).map((i) => i.dataset)).toEqual([
      'coinlore_tickers',
    ]);
  });

  it('lists one prefix per requested dataset and UTC day the range touches', () => {
    const r = request({
      from: '2026-11-24T23:50:00Z',
      to: '2026-11-25T00:10:00Z',
      datasets: ['coinlore_global'],
    });
    expect(rawPrefixes(r)).toEqual([
      'raw/coinlore/global/year=2026/month=11/day=24/',
      'raw/coinlore/global/year=2026/month=11/day=25/',
    ]);
    expect(rawPrefixes(request())).toHaveLength(4);
  });

  it('names every bad field at once when the input is invalid', () => {
    const bad = () =>
      request({ runId: 'has space', from: 'yesterday', to: '2026-11-24T00:00:00Z', datasets: ['tickers'] });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(
      /"from" must be an ISO-8601 time.*unknown dataset\(s\) tickers.*execution name "has space"/,
    );
    expect(() => request({ from: '2025-01-01T00:00:00Z', to: '2026-11-24T00:00:00Z' })).toThrow(
      /longer than 367 days/,
    );
  });

  it('adds up succeeded batches per dataset and lists failed batches with their items', () => {
    const item = (dataset: string, partitionTime: string) => ({ dataset, partitionTime });
    const s = summarizeResults([
      {
        Status: 'SUCCEEDED',
        Input: JSON.stringify({ Items: [item('coinlore_tickers', 'a'), item('reddit_posts', 'a')] }),
        Output: JSON.stringify([
          { dataset: 'coinlore_tickers', partitionTime: 'a', key: 'k1', rows: 100, rejects: 2, skipped: 1 },
          { dataset: 'reddit_posts', partitionTime: 'a', rows: 0, rejects: 0, skipped: 3 },
        ]),
      },
      {
        Name: 'b2',
        Status: 'FAILED',
        Error: 'States.TaskFailed',
        Cause: 'x'.repeat(500),
        Input: JSON.stringify({ Items: [item('coinlore_tickers', 'b')] }),
      },
    ]);
    expect(s).toMatchObject({
      batches: 2,
      batchesFailed: 1,
      items: 3,
      itemsFailed: 1,
      files: 1,
      rows: 100,
      rejects: 2,
      skipped: 4,
    });
    expect(s.failures).toEqual([
      { batch: 'b2', error: 'States.TaskFailed', cause: 'x'.repeat(300), items: ['coinlore_tickers@b'] },
    ]);
  });
});
