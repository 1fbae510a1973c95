import { describe, expect, it } from 'vitest';
import {
  checkGlobal,
  checkTickersPage,
  describe as describeValue,
  globalUrl,
  pagePart,
  tickersUrl,
} from '../../lambdas/core/coinlore';
import { expectDrift } from '../support/throws';

describe('describe', () => {
  it('says null when the value is null', () => {
    expect(describeValue(null)).toBe('null');
  });
  it('gives the length when the value is an array', () => {
    expect(describeValue([1, 2, 3])).toBe('an array of 3');
  });
  it('gives the char count when the value is a string', () => {
    expect(describeValue('abcd')).toBe('a string (4 chars)');
  });
  it('lists at most five keys when the value is an object', () => {
    expect(describeValue({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 })).toBe('an object with keys a,b,c,d,e');
  });
  it('gives the typeof when the value is a primitive other than a string', () => {
    expect(describeValue(42)).toBe('number');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(true)).toBe('boolean');
  });
});

describe('tickersUrl', () => {
  it('strips every trailing slash of the base when it has several', () => {
    expect(tickersUrl('https://api.example//', 2)).toBe('https://api.example/tickers/?start=200&limit=100');
  });
  it('starts at offset 0 when the page is the first', () => {
    expect(tickersUrl('https://api.example', 0)).toBe('https://api.example/tickers/?start=0&limit=100');
  });
});

describe('globalUrl', () => {
  it('strips every trailing slash of the base when it has several', () => {
    expect(globalUrl('https://a.b/api///')).toBe('https://a.b/api/global/');
  });
});

describe('pagePart', () => {
  it('pads to three digits when the page is small', () => {
    expect(pagePart(7)).toBe('p007');
    expect(pagePart(123)).toBe('p123');
  });
});

describe('checkTickersPage', () => {
  const row = { id: '90', symbol: 'BTC', name: 'Bitcoin', price_usd: '1.5' };

  it('throws naming null when the body is null', () => {
    expectDrift(() => checkTickersPage(null, 'w'), 'w: expected an object with "data", got null');
  });
  it('throws naming the array when the body is an array', () => {
    expectDrift(() => checkTickersPage([1, 2], 'w'), 'w: expected an object with "data", got an array of 2');
  });
  it('throws naming the string when the body is a string', () => {
    expectDrift(
      () => checkTickersPage('xyz', 'w'),
      'w: expected an object with "data", got a string (3 chars)',
    );
  });
  it('throws describing data when data is not an array', () => {
    expectDrift(
      () => checkTickersPage({ data: 'x' }, 'w'),
      'w: field "data" is missing or not an array (got a string (1 chars))',
    );
    expectDrift(
      () => checkTickersPage({}, 'w'),
      'w: field "data" is missing or not an array (got undefined)',
    );
  });
  it('returns no rows and no coinsNum when data is empty and info is absent', () => {
    const page = checkTickersPage({ data: [] }, 'w');
    expect(page.rows).toEqual([]);
    expect(page.coinsNum).toBeUndefined();
  });
  it('lists every field missing from all rows when some are missing', () => {
    expectDrift(
      () => checkTickersPage({ data: [{ id: 1, symbol: 'B' }] }, 'w'),
      'w: ticker field "name" is missing from every row (fields: name, price_usd)',
    );
  });
  it('accepts the page when the required fields are spread over different rows', () => {
    const rows = [{ id: 1, symbol: 'a', name: 'n' }, { price_usd: '2' }];
    expect(checkTickersPage({ data: rows }, 'w').rows).toEqual(rows);
  });
  it('skips null rows when looking for fields', () => {
    const rows = [null, row];
    expect(checkTickersPage({ data: rows }, 'w').rows).toEqual(rows);
  });
  it('returns info.coins_num when it is a number', () => {
    expect(checkTickersPage({ data: [row], info: { coins_num: 1234 } }, 'w')).toEqual({
      rows: [row],
      coinsNum: 1234,
    });
  });
  it('leaves coinsNum undefined when info.coins_num is a string', () => {
    expect(checkTickersPage({ data: [row], info: { coins_num: '12' } }, 'w').coinsNum).toBeUndefined();
  });
  it('leaves coinsNum undefined when info is null', () => {
    expect(checkTickersPage({ data: [row], info: null }, 'w').coinsNum).toBeUndefined();
  });
});

describe('checkGlobal', () => {
  it('throws when the body is an empty array', () => {
    expectDrift(() => checkGlobal([], 'w'), 'w: expected an array holding one object, got an array of 0');
  });
  it('throws when the first element is not an object', () => {
    expectDrift(() => checkGlobal([5], 'w'), 'w: expected an array holding one object, got an array of 1');
  });
  it('throws when the body is an array-like object', () => {
    expectDrift(
      () => checkGlobal({ 0: { coins_count: 1, total_mcap: 2 } }, 'w'),
      'w: expected an array holding one object, got an object with keys 0',
    );
  });
  it('names the first missing field when the object lacks one', () => {
    expectDrift(() => checkGlobal([{ coins_count: 1 }], 'w'), 'w: global field "total_mcap" is missing');
  });
  it('returns nothing when both fields are present', () => {
    expect(checkGlobal([{ coins_count: 1, total_mcap: 2 }], 'w')).toBeUndefined();
  });
});
