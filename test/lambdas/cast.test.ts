import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  castBoolean,
  castDecimalString,
  castDouble,
  castEpochSeconds,
  castInt,
  castString,
  isBlank,
  plainDecimalAt,
} from '../../lambdas/core/cast';

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });

describe('plainDecimalAt', () => {
  const at = (text: string) => {
    // Inside other bytes: only [start, end) is read.
    const bytes = Buffer.from(`9${text}9`);
    return plainDecimalAt(bytes, 1, bytes.length - 1);
  };

  it('gives castDouble of the same text whenever it gives a number', () => {
    const decimalLike = fc
      .array(fc.constantFrom(...'0123456789012345678901234567890123456789.-+e '.split('')), { maxLength: 22 })
      .map((cs) => cs.join(''));
    let numbers = 0;
    fc.assert(
      fc.property(decimalLike, (s) => {
        const n = at(s);
        if (n === undefined) return;
        numbers++;
        expect(n).toBe(castDouble(s));
      }),
      { numRuns: 1000 },
    );
    expect(numbers).toBeGreaterThan(100);
  });

  it('reads every plain decimal whose digits form an integer below 2^53, exactly as Number() does', () => {
    // Integers below 2^53 (mostly 16 digits) after up to 22 zeros, the dot anywhere, at most 22 digits after it.
    const plain = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }),
        fc.nat({ max: 22 }),
        fc.nat({ max: 40 }),
      )
      .map(([negative, mantissa, zeros, dot]) => {
        const digits = `${'0'.repeat(zeros)}${mantissa}`;
        const i = Math.min(dot, digits.length);
        return `${negative ? '-' : ''}${digits.slice(0, i)}${i < digits.length ? '.' : ''}${digits.slice(i)}`;
      })
      .filter((s) => s.split('.')[1] === undefined || s.split('.')[1]!.length <= 22);
    let sixteen = 0;
    fc.assert(
      fc.property(plain, (s) => {
        if (s.replace(/[^0-9]/g, '').replace(/^0+/, '').length === 16) sixteen++;
        expect(at(s)).toBe(Number(s));
      }),
      { numRuns: 2000 },
    );
    expect(sixteen).toBeGreaterThan(100);
    // The edges: 2^53 - 1, a market cap of 16 digits, 22 digits after the dot, -0.
    for (const s of ['9007199254740991', '11978704958906.52', '0.0000000000000000000001', '-0.0'])
      expect(at(s)).toBe(Number(s));
  });

  it('leaves every decimal whose digits reach 2^53 to castDouble, wherever its dot is', () => {
    const large = fc
      .tuple(fc.bigInt({ min: 2n ** 53n, max: 10n ** 17n - 1n }), fc.nat({ max: 17 }), fc.boolean())
      .map(([digits, dot, negative]) => {
        const d = String(digits);
        const i = Math.min(dot, d.length);
        return `${negative ? '-' : ''}${d.slice(0, i)}${i < d.length ? '.' : ''}${d.slice(i)}`;
      });
    fc.assert(
      fc.property(large, (s) => {
        expect(at(s)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['9007199254740992', 'digits of 2^53: the mantissa may not be exact'],
    ['90071992547409.93', 'digits past 2^53, whose rounded mantissa divides to another double'],
    ['12345678901234567', '17 digits'],
    ['0.12345678901234567', '17 digits with a dot'],
    ['0.00000000000000000000001', '23 digits after the dot: 10^23 is not exact'],
    ['', 'nothing'],
    ['-', 'a sign alone'],
    ['.', 'a dot alone'],
    ['1.2.3', 'two dots'],
    ['+1', 'a plus sign (castDouble decides)'],
    ['1e5', 'an exponent (castDouble decides)'],
    [' 1', 'whitespace'],
  ])('leaves %j to castDouble (%s)', (text) => {
    expect(at(text)).toBeUndefined();
  });
});

describe('castDouble', () => {
  it('round-trips any finite double when it is formatted with toString', () => {
    fc.assert(
      fc.property(finiteDouble, (d) => {
        expect(castDouble(d.toString())).toBe(d === 0 ? 0 : d);
      }),
    );
  });

  it('round-trips any finite double when it is formatted with toExponential', () => {
    fc.assert(
      fc.property(finiteDouble, (d) => {
        expect(castDouble(d.toExponential())).toBe(d === 0 ? 0 : d);
      }),
    );
  });

  it('reads toFixed output as the number it denotes when digits are cut', () => {
    fc.assert(
      fc.property(finiteDouble, fc.integer({ min: 0, max: 20 }), (d, digits) => {
        const text = d.toFixed(digits);
        expect(castDouble(text)).toBe(Number(text));
      }),
    );
  });

  it('passes finite numbers through and refuses NaN and infinities when given numbers', () => {
    fc.assert(
      fc.property(finiteDouble, (d) => {
        expect(castDouble(d)).toBe(d);
      }),
    );
    expect([Number.NaN, Infinity, -Infinity].map(castDouble)).toEqual([null, null, null]);
  });

  it('never yields NaN or an infinity when given arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const n = castDouble(s);
        expect(n === null || Number.isFinite(n)).toBe(true);
      }),
    );
  });

  it('returns exactly what Number() returns when given plain decimals of any length', () => {
    // Any length: castDouble is exact on its own, and plainDecimalAt (15 digits at most) is held to it.
    const plain = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^[0-9]{0,18}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,24}$/), { nil: undefined }),
      )
      .map(
        ([minus, whole, fraction]) =>
          `${minus ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`,
      )
      .filter((s) => /[0-9]/.test(s));
    fc.assert(
      fc.property(plain, (s) => {
        expect(castDouble(s)).toBe(Number(s));
      }),
      { numRuns: 20_000 },
    );
    for (const s of ['-0', '0.1', '-.5', '5.', '999999999999999', '0.000000000000001', '9007199254740993'])
      expect(castDouble(s)).toBe(Number(s));
    // Not plain decimals: an exponent, a second dot, a sign after digits, leading blanks before 0x.
    expect(['1e5', '1.5e2', '1..5', '1.2.3', '1-2', ' 0x10', '0x10', '-0x1'].map(castDouble)).toEqual([
      1e5,
      150,
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('agrees with the reference decimal rule when given arbitrary or number-like strings', () => {
    const numberLike = fc
      .array(fc.constantFrom(...'0123456789+-.eExXbBoO _ \tInfinityNa'.split('')), { maxLength: 12 })
      .map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), numberLike), (s) => {
        expect(castDouble(s)).toBe(castDecimalString(s));
      }),
    );
  });

  it.each([
    ['77146.66', 77146.66],
    ['1.2e-7', 1.2e-7],
    ['-0.98', -0.98],
    [' 42 ', 42],
    ['.5', 0.5],
    ['5.', 5],
    // More digits than a double holds: the nearest double, whose shortest form is 1.2345678901234568e23.
    ['123456789012345678901234.123456789', Number.parseFloat('1.2345678901234568e23')],
  ])('casts %j to a number when it is a decimal literal', (input, expected) => {
    expect(castDouble(input)).toBe(expected);
  });

  it.each([
    '',
    '   ',
    'NaN',
    '-',
    'Infinity',
    '-Infinity',
    '1e400',
    '0x1A',
    '0b101',
    '0o17',
    '1,000',
    'abc',
    '1e',
    '.',
  ])('gives null for %j', (input) => {
    expect(castDouble(input)).toBeNull();
  });

  it('gives null for non-number, non-string values', () => {
    expect([null, undefined, true, {}, [], 10n].map(castDouble)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('castInt', () => {
  it('accepts every safe integer in number or string form', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(castInt(n)).toBe(n === 0 ? 0 : n);
        expect(castInt(String(n))).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it('gives null when the value is not an integer or not below 2^53', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true }).filter((d) => !Number.isSafeInteger(d)),
        (d) => {
          expect(castInt(d)).toBeNull();
        },
      ),
    );
    expect(castInt('9007199254740992')).toBeNull();
    expect(castInt('1.5')).toBeNull();
    expect(castInt('1e3')).toBe(1000);
  });
});

describe('castString / castBoolean / castEpochSeconds / isBlank', () => {
  it('keeps strings, stringifies finite numbers and maps empty to null when casting strings', () => {
    expect([castString('BTC'), castString(90), castString(''), castString(null), castString({})]).toEqual([
      'BTC',
      '90',
      null,
      null,
      null,
    ]);
  });

  it('refuses booleans and integers beyond 2^53 when casting strings (ids must not name another record)', () => {
    expect([castString(true), castString(2 ** 53 + 2), castString(2 ** 53 - 1), castString(1.5)]).toEqual([
      null,
      null,
      String(2 ** 53 - 1),
      '1.5',
    ]);
  });

  it('accepts only JSON booleans when casting booleans', () => {
    expect([castBoolean(true), castBoolean(false), castBoolean('true'), castBoolean(1)]).toEqual([
      true,
      false,
      null,
      null,
    ]);
  });

  it('turns float epoch seconds into a UTC Date at millisecond precision', () => {
    expect(castEpochSeconds(1788363001.5)?.toISOString()).toBe('2026-09-02T15:30:01.500Z');
    expect(castEpochSeconds('nope')).toBeNull();
    expect(castEpochSeconds(1e300)).toBeNull();
  });

  it('treats only null, undefined and whitespace strings as blank', () => {
    expect([null, undefined, '', '  ', '0', 0, false].map(isBlank)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
