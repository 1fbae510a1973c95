import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkJsonValue,
  jsonValueDepth,
  MAX_JSON_DEPTH,
  parseJsonWithinLimits,
} from '../../lambdas/core/json-guard';

const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('jsonValueDepth', () => {
  it('counts array and object nesting: scalars 0, each array or object one level', () => {
    expect(jsonValueDepth(1)).toBe(0);
    expect(jsonValueDepth(null)).toBe(0);
    expect(jsonValueDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonValueDepth(['[[[', { c: [] }, []])).toBe(3);
  });

  it('agrees with the deepest path of any JSON value, computed recursively', () => {
    const deepest = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(deepest)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        expect(jsonValueDepth(v)).toBe(deepest(v));
      }),
    );
  });
});

describe('checkJsonValue', () => {
  it('refuses a parsed value nested past the limit without a recursive walk', () => {
    const deep = JSON.parse(nested(5000));
    expect(checkJsonValue(deep)).toBe(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(checkJsonValue({ a: [1, 2, { b: null }] })).toBeUndefined();
  });
});

describe('parseJsonWithinLimits', () => {
  it('parses JSON within the limits', () => {
    expect(parseJsonWithinLimits('{"a":[1]}')).toEqual({ ok: true, value: { a: [1] } });
  });

  it('reports malformed JSON without echoing its content', () => {
    const r = parseJsonWithinLimits('{"token":"s3cr3t-value"');
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('s3cr3t');
  });

  it('accepts nesting at the depth limit and refuses one level more, a 5,000-level text included', () => {
    expect(parseJsonWithinLimits(nested(MAX_JSON_DEPTH)).ok).toBe(true);
    for (const levels of [MAX_JSON_DEPTH + 1, 5000])
      expect(parseJsonWithinLimits(nested(levels))).toEqual({
        ok: false,
        reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      });
    expect(parseJsonWithinLimits('{"a":[[1]]}', { depth: 2 })).toEqual({
      ok: false,
      reason: 'JSON nested deeper than 2 levels',
    });
    expect(parseJsonWithinLimits('{"a":[1]}', { depth: 2 }).ok).toBe(true);
  });

  it('refuses a text longer than the size limit with both sizes in the reason, before parsing it', () => {
    expect(parseJsonWithinLimits('"abcdef"', { chars: 5 })).toEqual({
      ok: false,
      reason: 'JSON text too large: 8 characters (limit 5)',
    });
    expect(parseJsonWithinLimits('"abc"', { chars: 5 })).toEqual({ ok: true, value: 'abc' });
    // Malformed and too large: the size is what is reported (the text is never parsed).
    expect(parseJsonWithinLimits('{{{{{{', { chars: 5 })).toEqual({
      ok: false,
      reason: 'JSON text too large: 6 characters (limit 5)',
    });
  });
});

describe('json-guard edges', () => {
  it('stops walking a parsed value one level past the limit', () => {
    expect(jsonValueDepth(JSON.parse(nested(5000)), 10)).toBe(11);
  });

  it('accepts a parsed value nested exactly at the limit', () => {
    expect(checkJsonValue(JSON.parse(nested(MAX_JSON_DEPTH)))).toBeUndefined();
  });

  it("keeps the whole error position of V8's message, and says only 'not valid JSON' when there is none", () => {
    const text = '{"abcdefghijklmnop": 1 "b": 2}';
    let v8Message = '';
    try {
      JSON.parse(text);
    } catch (err) {
      v8Message = (err as Error).message;
    }
    const position = /position (\d+)/.exec(v8Message)?.[1];
    expect(position).toBeDefined();
    expect(parseJsonWithinLimits(text)).toEqual({
      ok: false,
      reason: `not valid JSON (at character ${position})`,
    });
    expect(parseJsonWithinLimits('')).toEqual({ ok: false, reason: 'not valid JSON' });
  });
});
