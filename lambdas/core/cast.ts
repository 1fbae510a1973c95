/**
 * Casting of source values to the lake's logical types (see ColumnType in datasets.ts).
 *
 * Coinlore sends most numbers as strings ("77146.66", "1.2e-7", "", "NaN", "-", or more digits than a
 * double holds); Reddit sends floats, ints, booleans and strings. Every cast here returns a value or
 * null, never NaN or ±Infinity (Snowflake rejects NaN in Parquet, and the column batches use NaN for null).
 *
 * Rules:
 * - double: finite JS numbers pass; strings must be a plain decimal literal (optional sign, digits, one
 *   optional dot, optional exponent; surrounding whitespace allowed). Hex, binary, "Infinity", "NaN",
 *   "1,000", "-" and "" give null. Digits beyond double precision round to the nearest double (they are
 *   not an error: "123456789012345678901234.123456789" is a valid number, just not an exact one);
 *   a literal that overflows (1e400) gives null.
 * - int: a double that is an integer and a safe integer (|n| < 2^53), else null: Parquet INT64 from JS
 *   numbers is only exact up to 2^53, and a silently rounded rank is worse than a visible null.
 * - The transform counts nulls that come from a non-blank input (see `isBlank`): those are data the
 *   source sent and the lake lost, unlike "" / null / absent which mean "no value".
 */

/** A plain decimal literal: what `Number()` should accept, minus hex/binary/octal/Infinity/blank. */
const DECIMAL = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** null, undefined, or a string of only whitespace: "the source sent no value". */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** The reference rule for strings: DECIMAL, then Number(). castDouble must agree with it (tested). */
export function castDecimalString(value: string): number | null {
  if (!DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Powers of ten a double holds exactly (10^22 is the largest), as literals: each is exact. */
const EXACT_POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/**
 * The value of the plain decimal in `bytes[start, end)` ("-1598.83": an optional minus, digits, at most
 * one dot) whose digits, the dot left out, form an integer below 2^53, with at most 22 of them after the
 * dot; undefined for anything else (castDouble of the text then decides). Why bytes: reprocess casts
 * Coinlore's prices straight from the raw page (page-scan.ts), before any string exists. It is exact,
 * not an approximation (Clinger's fast path): every partial value of the digits is an integer below
 * 2^53, so each step `mantissa * 10 + d` is exact; the divisor 10^k (k ≤ 22) is exact; so the one
 * division is correctly rounded, which is what Number() returns. A step past 2^53 may round, but never
 * to below 2^53, so one check at the end (above MAX_SAFE_INTEGER, 2^53 − 1) is enough; 2^53 itself is
 * refused too, because a mantissa that rounded to it cannot be told from it. Values of 16 digits (the
 * bench archive's largest market caps, "11978704958906.52") took the string path under the earlier
 * limit of 15 digits. When it returns a number, that number is castDouble of the same text
 * (test/lambdas/cast.test.ts checks it on generated text).
 */
export function plainDecimalAt(bytes: Uint8Array, start: number, end: number): number | undefined {
  const negative = bytes[start] === 45;
  let i = negative ? start + 1 : start;
  const first = i;
  let mantissa = 0;
  // The integer digits, then (after one dot) the fraction's: two loops, so no digit pays for a test of
  // whether a dot was seen (this runs for a dozen values of every ticker record).
  for (; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
  }
  let digits = i - first;
  let fraction = 0;
  if (i < end) {
    if (bytes[i] !== 46) return undefined;
    const dot = ++i;
    for (; i < end; i++) {
      const d = bytes[i]! - 48;
      if (d < 0 || d > 9) return undefined;
      mantissa = mantissa * 10 + d;
    }
    fraction = end - dot;
    digits += fraction;
  }
  if (digits === 0 || mantissa > Number.MAX_SAFE_INTEGER || fraction > 22) return undefined;
  const n = fraction > 0 ? mantissa / EXACT_POW10[fraction]! : mantissa;
  return negative ? -n : n;
}

/** A finite double, or null. */
export function castDouble(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  // Fast path: a string starting with a digit, sign or dot is a decimal literal exactly when Number()
  // accepts it, except the 0x/0b/0o forms. Everything else (leading whitespace, words) takes the
  // reference path.
  const c = value.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    if (c === 48 && value.length > 1) {
      const x = value.charCodeAt(1) | 0x20;
      if (x === 120 || x === 98 || x === 111) return null; // x, b, o
    }
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return castDecimalString(value);
}

/** A safe integer (|n| ≤ 2^53 − 1), or null ("1.0" and "1e3" are integers; "1.5" is not). */
export function castInt(value: unknown): number | null {
  const n = castDouble(value);
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/**
 * Strings pass (an empty string is "no value": null); finite numbers become their decimal text, except
 * integers beyond 2^53: JSON.parse has already rounded them (an id 2^53 + 1 arrives as 2^53), so their
 * text would silently name another record. They become null, which the transform counts or rejects.
 */
export function castString(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) {
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? null : String(value);
  }
  return null;
}

/** JSON booleans only: Reddit sends real booleans, so "true" or 1 are drift, not values. */
export function castBoolean(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/**
 * Epoch seconds (Reddit `created_utc`, `edited`: floats) to epoch milliseconds (an integer: millisecond
 * precision), or null. What a timestamp column stores (see columns.ts).
 */
export function castEpochMillis(value: unknown): number | null {
  const seconds = castDouble(value);
  if (seconds === null) return null;
  const ms = Math.round(seconds * 1000);
  // Date's own range; beyond it getTime() is NaN.
  return Math.abs(ms) <= 8.64e15 ? ms : null;
}

/** Epoch seconds to a UTC Date at millisecond precision, or null (castEpochMillis as a Date). */
export function castEpochSeconds(value: unknown): Date | null {
  const ms = castEpochMillis(value);
  return ms === null ? null : new Date(ms);
}
