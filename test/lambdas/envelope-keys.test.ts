import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { envelopeProblem, isEnvelope } from '../../lambdas/core/envelope';
import {
  DATASET_FILE_SUFFIX,
  datasetKey,
  datasetPrefix,
  hivePartition,
  RAW_PREFIX,
  REJECTS_PREFIX,
  rawKey,
  rejectsKey,
  stamp,
} from '../../lambdas/core/lake';
import { recordId } from '../../lambdas/core/record-id';

const GOOD = {
  request: { method: 'GET', url: 'https://api.coinlore.net/api/global/' },
  response: { status: 200, headers: {}, body: [] },
  fetched_at: '2026-11-24T10:20:00.000Z',
  source: 'coinlore',
  endpoint: 'global',
};

describe('envelopeProblem', () => {
  it('accepts a complete envelope from either source', () => {
    expect(envelopeProblem(GOOD)).toBeUndefined();
    expect(isEnvelope({ ...GOOD, source: 'reddit' })).toBe(true);
  });

  it.each([
    ['null', null, 'not a JSON object'],
    ['a string', 'envelope', 'not a JSON object'],
    ['no request', { ...GOOD, request: undefined }, 'missing request.method/url'],
    ['a numeric url', { ...GOOD, request: { method: 'GET', url: 1 } }, 'missing request.method/url'],
    ['no method', { ...GOOD, request: { url: 'x' } }, 'missing request.method/url'],
    ['no response', { ...GOOD, response: undefined }, 'missing response.status'],
    [
      'a string status',
      { ...GOOD, response: { ...GOOD.response, status: '200' } },
      'missing response.status',
    ],
    ['null headers', { ...GOOD, response: { ...GOOD.response, headers: null } }, 'missing response.headers'],
    ['string headers', { ...GOOD, response: { ...GOOD.response, headers: 'x' } }, 'missing response.headers'],
    ['no fetched_at', { ...GOOD, fetched_at: undefined }, 'bad fetched_at'],
    ['an unparsable fetched_at', { ...GOOD, fetched_at: 'yesterday' }, 'bad fetched_at'],
    ['an unknown source', { ...GOOD, source: 'binance' }, 'unknown source "binance"'],
    ['no endpoint', { ...GOOD, endpoint: 7 }, 'missing endpoint'],
  ])('names the problem of an envelope with %s', (_what, value, problem) => {
    expect(envelopeProblem(value)).toBe(problem);
    expect(isEnvelope(value)).toBe(false);
  });

  it('never throws and returns a one-line reason for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const p = envelopeProblem(v);
        if (p !== undefined) expect(p).not.toMatch(/\n/);
      }),
    );
  });
});

describe('lake keys', () => {
  const t = new Date('2026-01-05T03:07:59.999Z');

  it('partitions by UTC date with zero padding, and stamps to the minute', () => {
    expect(hivePartition(t)).toBe('year=2026/month=01/day=05');
    expect(stamp(t)).toBe('20260105_0307');
    // 23:30 on the 5th at UTC-1 is the 6th in UTC: partitions follow UTC, never the local zone.
    expect(hivePartition(new Date('2026-01-05T23:30:00-01:00'))).toBe('year=2026/month=01/day=06');
  });

  it('builds dataset, rejects and raw keys under their prefixes', () => {
    expect(datasetPrefix('coinlore_tickers')).toBe('coinlore_tickers/');
    expect(datasetKey('coinlore_tickers', t)).toBe(
      `coinlore_tickers/year=2026/month=01/day=05/coinlore_tickers_20260105_0307${DATASET_FILE_SUFFIX}`,
    );
    expect(rejectsKey('reddit_posts', t)).toBe(
      `${REJECTS_PREFIX}reddit_posts/year=2026/month=01/day=05/reddit_posts_20260105_0307.jsonl`,
    );
    expect(rawKey('reddit', 'new', t, 'Bitcoin_p00')).toBe(
      `${RAW_PREFIX}reddit/new/year=2026/month=01/day=05/reddit_new_20260105_0307_Bitcoin_p00.json`,
    );
  });

  it.each(['', 'a/b', '../x', 'p 1', 'p.1'])('refuses the raw key part %j', (part) => {
    expect(() => rawKey('coinlore', 'tickers', t, part)).toThrow(/raw key part must be/);
  });
});

describe('recordId', () => {
  it('is the SHA-256 of source, natural id and extraction time joined by the unit separator', () => {
    const expected = createHash('sha256')
      .update('coinlore\u001f90\u001f2026-11-24T10:20:00.000Z')
      .digest('hex');
    expect(recordId('coinlore', '90', '2026-11-24T10:20:00.000Z')).toBe(expected);
    const noId = createHash('sha256').update('coinlore\u001f2026-11-24T10:20:00.000Z').digest('hex');
    expect(recordId('coinlore', undefined, '2026-11-24T10:20:00.000Z')).toBe(noId);
  });

  it('differs when any part differs, including ids that would collide if joined without a separator', () => {
    const at = '2026-11-24T10:20:00.000Z';
    expect(recordId('reddit', 'ab', at)).not.toBe(recordId('coinlore', 'ab', at));
    expect(recordId('reddit', 'a', `b${at}`)).not.toBe(recordId('reddit', 'ab', at));
    expect(recordId('reddit', 'ab', at)).not.toBe(recordId('reddit', 'ab', '2026-11-24T10:30:00.000Z'));
  });
});
