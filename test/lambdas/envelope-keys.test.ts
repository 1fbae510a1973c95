import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { castDouble, castEpochSeconds, castInt, castString } from '../../lambdas/core/cast';
import { envelopeProblem } from '../../lambdas/core/envelope';
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
    expect(envelopeProblem({ ...GOOD, source: 'reddit' })).toBeUndefined();
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
    ['an unknown source', { ...GOOD, source: 'binance' }, 'source is not coinlore or reddit'],
    ['no endpoint', { ...GOOD, endpoint: 7 }, 'missing endpoint'],
  ])('names the problem of an envelope with %s', (_what, value, problem) => {
    expect(envelopeProblem(value)).toBe(problem);
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

describe('cast edges', () => {
  it('castInt refuses fractions and values past 2^53 - 1', () => {
    expect(castInt('1.5')).toBeNull();
    expect(castInt(1.5)).toBeNull();
    expect(castInt(2 ** 53)).toBeNull();
    expect(castInt('9007199254740991')).toBe(2 ** 53 - 1);
    expect(castInt('1e3')).toBe(1000);
  });

  it('castString turns only finite numbers into text', () => {
    expect(castString(Number.NaN)).toBeNull();
    expect(castString(Number.POSITIVE_INFINITY)).toBeNull();
    expect(castString(1.5)).toBe('1.5');
    expect(castString(true)).toBeNull();
  });

  it("castEpochSeconds accepts Date's last millisecond and refuses one past it", () => {
    expect(castEpochSeconds(8.64e12)?.toISOString()).toBe('+275760-09-13T00:00:00.000Z');
    expect(castEpochSeconds(8.64e12 + 0.001)).toBeNull();
  });

  it('castDouble reads signed and dotted strings and refuses hex, binary and octal forms', () => {
    expect(castDouble('-1.5')).toBe(-1.5);
    expect(castDouble('+2')).toBe(2);
    expect(castDouble('.5')).toBe(0.5);
    expect(castDouble('0')).toBe(0);
    expect(castDouble('0x10')).toBeNull();
    expect(castDouble('0B1')).toBeNull();
    expect(castDouble('0o7')).toBeNull();
    expect(castDouble('9abc')).toBeNull();
  });
});

describe('envelopeProblem fetched_at type', () => {
  it('refuses a numeric fetched_at even though Date.parse would read it', () => {
    expect(envelopeProblem({ ...GOOD, fetched_at: 2026 })).toBe('bad fetched_at');
  });
});
