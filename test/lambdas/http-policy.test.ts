import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  classifyStatus,
  header,
  parseRateLimit,
  parseRetryAfter,
  rateLimitWaitMs,
} from '../../lambdas/core/http-policy';

describe('classifyStatus', () => {
  it.each([
    [200, 'ok'],
    [204, 'ok'],
    [299, 'ok'],
    [199, 'client'],
    [300, 'client'],
    [304, 'client'],
    [400, 'client'],
    [404, 'client'],
    [418, 'client'],
    [499, 'client'],
    [401, 'auth'],
    [403, 'auth'],
    [408, 'retry'],
    [429, 'rate-limited'],
    [500, 'retry'],
    [503, 'retry'],
    [599, 'retry'],
  ] as const)('classifies HTTP %i as %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe('backoffDelayMs', () => {
  it('is a uniform fraction of base × 2^(attempt-1), capped', () => {
    expect(backoffDelayMs(1, 500, 8000, 0.5)).toBe(250);
    expect(backoffDelayMs(2, 500, 8000, 0.5)).toBe(500);
    expect(backoffDelayMs(3, 500, 8000, 0.5)).toBe(1000);
    expect(backoffDelayMs(10, 500, 8000, 0.5)).toBe(4000);
    expect(backoffDelayMs(1, 500, 8000, 0)).toBe(0);
    expect(backoffDelayMs(0, 500, 8000, 0.5)).toBe(250);
  });

  it('stays in [0, min(cap, base·2^(n-1))) for any attempt and jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const ceiling = Math.min(8000, 500 * 2 ** (attempt - 1));
          const d = backoffDelayMs(attempt, 500, 8000, r);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(ceiling);
        },
      ),
    );
  });
});

describe('header', () => {
  it('finds a header whatever the case of its name, and undefined when absent', () => {
    expect(header({ 'Retry-After': '5' }, 'retry-after')).toBe('5');
    expect(header({ 'retry-after': '5' }, 'Retry-After')).toBe('5');
    expect(header({ other: 'x' }, 'retry-after')).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-24T10:20:00Z');
  it.each([
    ['7', 7],
    [' 7 ', 7],
    ['1.5', 1.5],
    ['0', 0],
    ['Tue, 24 Nov 2026 10:20:30 GMT', 30],
    ['Tue, 24 Nov 2026 10:19:00 GMT', 0],
  ])('reads %j as %d seconds', (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it.each([[undefined], [''], ['   '], ['soon']])('gives undefined for %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('parseRateLimit and rateLimitWaitMs', () => {
  it("reads Reddit's decimal X-Ratelimit headers, ignoring blank and non-numeric values", () => {
    expect(
      parseRateLimit({
        'X-Ratelimit-Used': '598.0',
        'x-ratelimit-remaining': '2.0',
        'x-ratelimit-reset': '41',
      }),
    ).toEqual({ used: 598, remaining: 2, resetSeconds: 41 });
    expect(parseRateLimit({ 'x-ratelimit-remaining': ' ', 'x-ratelimit-reset': 'soon' })).toEqual({
      used: undefined,
      remaining: undefined,
      resetSeconds: undefined,
    });
  });

  it('waits until the reset only when less than one request remains', () => {
    expect(rateLimitWaitMs({})).toBe(0);
    expect(rateLimitWaitMs({ remaining: 1, resetSeconds: 30 })).toBe(0);
    expect(rateLimitWaitMs({ remaining: 0.5, resetSeconds: 3.2 })).toBe(3200);
    expect(rateLimitWaitMs({ remaining: 0, resetSeconds: 0.0001 })).toBe(1);
    expect(rateLimitWaitMs({ remaining: 0 })).toBe(1000);
  });
});

describe('parseRetryAfter number forms', () => {
  const now = new Date('2026-11-24T10:20:00Z');
  it('reads multi-digit and multi-decimal seconds exactly, and refuses numbers with other characters', () => {
    expect(parseRetryAfter('10', now)).toBe(10);
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('1.25', now)).toBe(1.25);
    expect(parseRetryAfter('7s', now)).toBeUndefined();
    expect(parseRetryAfter('x7', now)).toBeUndefined();
  });
});
