import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  checkJsonValue,
  DEPTH_SCAN_ABOVE_CHARS,
  jsonTextDepth,
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

describe('jsonTextDepth', () => {
  it('counts array and object nesting and ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextDepth('1')).toBe(0);
    expect(jsonTextDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonTextDepth('["[[[", "\\"[[[", {}]')).toBe(2);
  });

  it('agrees with the depth of the parsed value for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => {
        const text = JSON.stringify(v);
        expect(jsonTextDepth(text)).toBe(jsonValueDepth(JSON.parse(text)));
      }),
    );
  });

  it('stops one past the limit instead of scanning a 5,000-level text to the end', () => {
    expect(jsonTextDepth(nested(5000), 10)).toBe(11);
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

  it(`refuses a deep text over ${DEPTH_SCAN_ABOVE_CHARS} characters from its text, without parsing it`, () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      // Deep and unterminated: a parse would first build a million nested arrays.
      const deep = '['.repeat(DEPTH_SCAN_ABOVE_CHARS + 1);
      expect(parseJsonWithinLimits(deep)).toEqual({
        ok: false,
        reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
      });
      expect(parse).not.toHaveBeenCalled();
      // At the threshold the text is parsed (and, being unterminated, refused as not JSON).
      expect(parseJsonWithinLimits('['.repeat(DEPTH_SCAN_ABOVE_CHARS))).toEqual({
        ok: false,
        reason: 'not valid JSON',
      });
      expect(parse).toHaveBeenCalledTimes(1);
      // A long text nested exactly at the limit is accepted.
      const padding = `"${'x'.repeat(DEPTH_SCAN_ABOVE_CHARS)}"`;
      const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}${padding}${']'.repeat(MAX_JSON_DEPTH)}`;
      expect(parseJsonWithinLimits(atLimit).ok).toBe(true);
      // A long text within the depth limit is parsed as usual.
      const wide = `[${'"x",'.repeat(DEPTH_SCAN_ABOVE_CHARS / 4)}1]`;
      const parsed = parseJsonWithinLimits(wide);
      expect(parsed.ok && (parsed.value as unknown[]).length).toBe(DEPTH_SCAN_ABOVE_CHARS / 4 + 1);
    } finally {
      parse.mockRestore();
    }
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
